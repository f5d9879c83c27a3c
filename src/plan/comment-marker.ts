/**
 * Hidden markers that make a comment "sticky": the first line says which
 * comment this is (plan or apply, for which proxy directory and owner), so
 * each job finds and edits its own comment and matrix jobs with another path
 * or owner keep theirs. A second line carries the state the apply step reads
 * back: the reviewed plan's fingerprint and the head commit it was made for.
 */
import { posix } from "node:path";
import { TOOL_NAME } from "../model/names.js";

export type CommentKind = "plan" | "apply";

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
  fingerprint?: string | undefined;
  /** Head commit of the pull request the plan was made for. */
  sha?: string | undefined;
}

const TOOL = TOOL_NAME;

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
  if (state.fingerprint) attrs.push(`fingerprint=${encodeValue(state.fingerprint)}`);
  if (state.sha) attrs.push(`sha=${encodeValue(state.sha)}`);
  return `<!-- ${TOOL}:state ${attrs.join(" ")} -->`;
}

/** The marker stands at the start of a line in our comment; a human quoting it (`> <!-- …`) does not match. */
export function isStickyComment(body: string | undefined, marker: string): boolean {
  if (!body) return false;
  return body.startsWith(marker) || body.includes(`\n${marker}`);
}

export function parseState(body: string): CommentState | undefined {
  const m = new RegExp(`<!-- ${TOOL}:state ([^>]*?) -->`).exec(body);
  if (!m?.[1]) return undefined;
  const attrs = new Map<string, string>();
  for (const part of m[1].split(" ")) {
    const eq = part.indexOf("=");
    if (eq > 0) attrs.set(part.slice(0, eq), decodeValue(part.slice(eq + 1)));
  }
  const status = attrs.get("status") as CommentStatus | undefined;
  if (!status || !COMMENT_STATUSES.includes(status)) return undefined;
  return { status, fingerprint: attrs.get("fingerprint"), sha: attrs.get("sha") };
}

/**
 * Values must not contain a space (attribute separator), `>` or `--` (which
 * would end or break the HTML comment); `/` stays readable.
 */
function encodeValue(v: string): string {
  return encodeURIComponent(v).replace(/%2F/g, "/").replace(/--/g, "-%2D");
}

function decodeValue(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
