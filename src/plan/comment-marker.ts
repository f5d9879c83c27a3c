/**
 * Hidden markers that make a comment "sticky": the first line says which
 * comment this is (plan or apply, for which proxy directory and owner), so
 * each job finds and edits its own comment and matrix jobs with another path
 * or owner keep theirs. The second line is the record the apply step reads
 * back: the status, the reviewed plan's fingerprint, the head commit it was
 * made for, and one digest per change.
 *
 * The record is parsed strictly: a status from its enum, hex of the right
 * length, digests of the right alphabet and length, at its fixed place.
 * Anything else is no record at all, never a partial one.
 */
import { posix } from "node:path";
import { TOOL_NAME } from "../model/names.js";
import { CHANGE_DIGEST_CHARS } from "./types.js";

/** `drift` marks the issue a scheduled drift run keeps up to date. */
export type CommentKind = "plan" | "apply" | "drift";

export const COMMENT_STATUSES = [
  /** A plan that can be applied: `fingerprint` is what the reviewer saw. */
  "planned",
  /** Proxy files are invalid: nothing can be applied. */
  "spec-errors",
  /** The plan has errors (e.g. a name taken by a resource we don't own). */
  "plan-errors",
  "applied",
  /** Apply stopped part-way; finished steps are kept. */
  "failed",
  "refused",
] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

export interface CommentState {
  status: CommentStatus;
  /** SHA-256 of the plan, 64 hex digits (engine/fingerprint.ts). */
  fingerprint?: string | undefined;
  /** Head commit of the pull request the plan was made for, 40 hex digits. */
  sha?: string | undefined;
  /**
   * One digest per pending change (engine/fingerprint.ts changeDigest).
   * Undefined when the plan had too many changes to list: then only a plan
   * with exactly the reviewed fingerprint can be applied.
   */
  changes?: string[] | undefined;
}

const TOOL = TOOL_NAME;

/**
 * At most this many change digests go into a record: 1,200 × 22 characters
 * leaves more than half of GitHub's 65,536-character comment for the plan.
 * A bigger plan (well over a hundred new proxies at once) is recorded by its
 * fingerprint alone.
 */
export const MAX_RECORD_DIGESTS = 1_200;

/** `proxies`, `./proxies` and `proxies/` are the same directory and get the same marker. */
export function normalizeDir(dir: string): string {
  const n = posix.normalize(dir.replace(/\\/g, "/")).replace(/\/+$/, "");
  return n === "" ? "." : n;
}

export function stickyMarker(kind: CommentKind, dir: string, owner: string): string {
  return `<!-- ${TOOL}:${kind} path=${encodeValue(normalizeDir(dir))} owner=${encodeValue(owner)} -->`;
}

export function stateMarker(state: CommentState): string {
  const attrs = [`status=${state.status}`];
  if (state.fingerprint) attrs.push(`fingerprint=${state.fingerprint}`);
  if (state.sha) attrs.push(`sha=${state.sha}`);
  if (state.changes) attrs.push(`changes=${state.changes.join("")}`);
  return `<!-- ${TOOL}:state ${attrs.join(" ")} -->`;
}

/** The marker stands at the start of a line in our comment; a human quoting it (`> <!-- …`) does not match. */
export function isStickyComment(body: string | undefined, marker: string): boolean {
  if (!body) return false;
  return body.startsWith(marker) || body.includes(`\n${marker}`);
}

const RECORD = new RegExp(
  `^<!-- ${TOOL}:state status=([a-z-]+)(?: fingerprint=([0-9a-f]{64}))?(?: sha=([0-9a-f]{40}))?(?: changes=([A-Za-z0-9_-]*))? -->$`,
);

/**
 * The record of a comment this action wrote: the body starts with `marker`,
 * and the next line is the state line, exactly in the form stateMarker
 * writes. Anything else (another place, an unknown status, a short or
 * non-hex fingerprint, a digest list of the wrong length) is no record.
 */
export function parseRecord(body: string, marker: string): CommentState | undefined {
  if (!body.startsWith(`${marker}\n`)) return undefined;
  const rest = body.slice(marker.length + 1);
  const end = rest.indexOf("\n");
  const line = end === -1 ? rest : rest.slice(0, end);
  const m = RECORD.exec(line);
  if (!m) return undefined;
  const [, status, fingerprint, sha, digests] = m;
  if (!(COMMENT_STATUSES as readonly string[]).includes(status ?? "")) return undefined;
  const state: CommentState = { status: status as CommentStatus };
  if (fingerprint) state.fingerprint = fingerprint;
  if (sha) state.sha = sha;
  if (digests !== undefined) {
    const changes = splitDigests(digests);
    if (!changes) return undefined;
    state.changes = changes;
  }
  return state;
}

/** Fixed-width digests back to a list; undefined unless every one is a canonical base64url encoding. */
function splitDigests(joined: string): string[] | undefined {
  if (joined.length % CHANGE_DIGEST_CHARS !== 0) return undefined;
  const out: string[] = [];
  for (let i = 0; i < joined.length; i += CHANGE_DIGEST_CHARS) {
    const d = joined.slice(i, i + CHANGE_DIGEST_CHARS);
    // The last character of 16 bytes in base64 carries 2 bits; only one spelling decodes back to itself.
    if (Buffer.from(d, "base64url").toString("base64url") !== d) return undefined;
    out.push(d);
  }
  return out;
}

/**
 * Values must not contain a space (attribute separator), `>` or `--` (which
 * would end or break the HTML comment); `/` stays readable.
 */
function encodeValue(v: string): string {
  return encodeURIComponent(v).replace(/%2F/g, "/").replace(/--/g, "-%2D");
}
