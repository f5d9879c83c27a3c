/**
 * ARM list paging: each page carries `value` and, when more remain, an
 * absolute `nextLink` that repeats the query (api-version, $filter) with a
 * `$skiptoken` for the offset.
 *
 * Handlers pass the raw items in list order and a presenter: only the page's
 * items are presented, so a page costs what it holds, not what the list holds.
 */
import type { EmuRequest, EmuResponse } from "./http.js";
import { ArmError } from "./http.js";

/** A page of an ARM list, as every list operation of the SDKs reads it. */
export interface ListPage<P> {
  value: P[];
  nextLink?: string;
}

export function pagedList<T, P>(
  req: EmuRequest,
  items: readonly T[],
  defaultPageSize: number,
  present: (item: T) => P,
): EmuResponse {
  const skip = Number(req.url.searchParams.get("$skiptoken") ?? "0");
  if (!Number.isInteger(skip) || skip < 0) throw new ArmError(400, "InvalidSkipToken", "The $skiptoken is invalid.");
  const top = req.url.searchParams.get("$top");
  const pageSize = top !== null && Number(top) > 0 ? Math.min(Number(top), defaultPageSize) : defaultPageSize;
  const value = items.slice(skip, skip + pageSize).map((item) => present(item));
  const body: ListPage<P> = { value };
  if (skip + pageSize < items.length) {
    const next = new URL(req.url.pathname, req.origin);
    req.url.searchParams.forEach((v, k) => {
      if (k !== "$skiptoken" && !next.searchParams.has(k)) next.searchParams.set(k, v);
    });
    next.searchParams.set("$skiptoken", String(skip + pageSize));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}
