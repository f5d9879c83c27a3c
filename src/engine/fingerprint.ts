import { createHash } from "node:crypto";
import { armIdKey } from "../model/arm-id.js";
import { canonicalJson } from "../model/canonical-json.js";
import { CHANGE_DIGEST_BYTES, type Change, type Plan } from "../plan/types.js";

/**
 * A digest of what a plan would do: every non-noop change with its before and
 * after, and every error. Timestamps and unchanged resources are left out, so
 * planning the same files against the same Azure state gives the same value,
 * and any drift between review and merge gives another. The full SHA-256 (64
 * hex digits): the reviewed record carries it, and a shortened value would let
 * someone search offline for a different plan with the same fingerprint.
 */
export function fingerprintOf(plan: Omit<Plan, "fingerprint">): string {
  const material = {
    owner: plan.owner,
    changes: plan.changes.filter((c) => c.action !== "noop").map((c) => changeMaterial(c)),
    errors: plan.errors.map((e) => e.message),
  };
  return createHash("sha256").update(canonicalJson(material)).digest("hex");
}

/**
 * Digest of one change: what it does (address, resource id, action) from
 * which state (before) to which (after). Apply compares these, not the whole
 * plan, when the plan is a subset of what was reviewed (the rest of an apply
 * that failed part-way) or spans several merged pull requests.
 *
 * An AAAA record's address comes from the proxy's public IPv6, which Azure
 * assigns on creation: a plan made before the IP exists says "known after
 * apply", one made after says the address. Both mean "the proxy's own IPv6
 * address" (the record's desired value is never anything else), so the digest
 * uses that meaning; the public IP itself is a change of its own.
 */
export function changeDigest(change: Change): string {
  return createHash("sha256")
    .update(canonicalJson(changeMaterial(change, { symbolicDnsAddress: true })))
    .digest()
    .subarray(0, CHANGE_DIGEST_BYTES)
    .toString("base64url");
}

const PROXY_IPV6 = "(the proxy's public IPv6 address)";

function changeMaterial(c: Change, opts: { symbolicDnsAddress?: boolean } = {}): Record<string, unknown> {
  let after = c.after ?? null;
  if (opts.symbolicDnsAddress && c.kind === "dnsRecord" && c.after && "ipv6Addresses" in c.after) {
    after = { ...c.after, ipv6Addresses: [PROXY_IPV6] };
  }
  return { address: c.address, id: armIdKey(c.id), action: c.action, before: c.before ?? null, after };
}
