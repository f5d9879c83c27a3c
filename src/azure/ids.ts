/** Parts of an ARM id: `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/...]`. */
export function parseArmId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const parts = id.split("/");
  const at = (key: string) => {
    const i = parts.findIndex((p) => p.toLowerCase() === key);
    return i >= 0 ? (parts[i + 1] ?? "") : "";
  };
  return {
    subscriptionId: at("subscriptions"),
    resourceGroup: at("resourcegroups"),
    name: parts[parts.length - 1] ?? "",
  };
}

/** The SDKs throw RestError with statusCode; 404 means "not there". */
export function statusOf(e: unknown): number | undefined {
  return typeof e === "object" && e !== null && "statusCode" in e
    ? Number((e as { statusCode: unknown }).statusCode)
    : undefined;
}

export const isNotFound = (e: unknown) => statusOf(e) === 404;
