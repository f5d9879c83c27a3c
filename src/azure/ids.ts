/** The SDKs throw RestError with statusCode; 404 means "not there". */
export function statusOf(e: unknown): number | undefined {
  return typeof e === "object" && e !== null && "statusCode" in e
    ? Number((e as { statusCode: unknown }).statusCode)
    : undefined;
}

export const isNotFound = (e: unknown) => statusOf(e) === 404;
