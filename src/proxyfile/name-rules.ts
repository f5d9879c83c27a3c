/**
 * Rules for the names and labels in a proxy file. Every value here ends up in
 * an Azure resource name, an ARM URL, a tag, or the HAProxy config, so the
 * character sets are closed lists: nothing that could break out of a quoted
 * string, a config line or a URL path segment gets through.
 *
 * Each check returns undefined for a good value or a message fragment that
 * reads after the quoted value: `"Web Proxy" may only contain ...`.
 * schema/proxy.schema.json states the same rules as patterns; the spec tests
 * keep the two in agreement.
 */

const PROXY_NAME_MAX_LENGTH = 40;

export function proxyNameProblem(value: string): string | undefined {
  if (value.length < 1 || value.length > PROXY_NAME_MAX_LENGTH)
    return `must be 1 to ${PROXY_NAME_MAX_LENGTH} characters long`;
  if (!/^[a-z0-9-]+$/.test(value)) return "may only contain lowercase letters, digits and hyphens";
  if (!/^[a-z]/.test(value)) return "must start with a lowercase letter";
  if (value.endsWith("-")) return "must not end with a hyphen";
  if (value.includes("--")) return "must not contain two hyphens in a row";
  return undefined;
}

export function locationProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9]{1,49}$/.test(value)) return undefined;
  return 'is not an Azure region name (lowercase letters and digits, such as "westeurope")';
}

/** Azure's resource group rules, limited to ASCII so the name is safe in URLs and logs. */
export function resourceGroupProblem(value: string): string | undefined {
  if (value.length < 1 || value.length > 90) return "must be 1 to 90 characters long";
  if (!/^[A-Za-z0-9_.()-]+$/.test(value)) return "may only contain letters, digits, and _ - . ( )";
  if (value.endsWith(".")) return "must not end with a period";
  return undefined;
}

export function subscriptionIdProblem(value: string): string | undefined {
  if (/^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/.test(value)) return undefined;
  return 'is not a subscription id (a GUID such as "00000000-0000-0000-0000-000000000000")';
}

export function vmSizeProblem(value: string): string | undefined {
  if (/^Standard_[A-Za-z0-9_]{1,55}$/.test(value)) return undefined;
  return 'is not a VM size (such as "Standard_B2ats_v2")';
}

interface DnsNameRules {
  /** Fewest labels, not counting a leading "*" wildcard. */
  minLabels: number;
  /** May start with a "*." wildcard label. */
  wildcard: boolean;
  /** A last label of only digits makes the name look like an IPv4 address. */
  numericLastLabel: boolean;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function dnsNameProblem(value: string, rules: DnsNameRules): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 253) return "is longer than 253 characters";
  if (value !== value.toLowerCase()) return `must be lowercase ("${value.toLowerCase()}")`;
  if (value.endsWith(".")) return "must not end with a dot";
  const labels = value.split(".");
  if (rules.wildcard && labels[0] === "*") labels.shift();
  if (labels.some((label) => label.includes("*"))) {
    return rules.wildcard ? 'may only use "*" as the whole first label, as in "*.example.nl"' : 'must not contain "*"';
  }
  for (const label of labels) {
    if (label === "") return "has an empty label (two dots in a row, or a leading dot)";
    if (label.length > 63) return "has a label longer than 63 characters";
    if (!/^[a-z0-9-]+$/.test(label)) return "may only contain lowercase letters, digits, hyphens and dots";
    if (!LABEL.test(label)) return "has a label that starts or ends with a hyphen";
  }
  if (labels.length < rules.minLabels) return `must have at least ${rules.minLabels} labels, such as "example.nl"`;
  if (!rules.numericLastLabel && /^[0-9]+$/.test(labels[labels.length - 1] ?? "")) {
    return "looks like an IP address, not a DNS name";
  }
  return undefined;
}

export function dnsZoneProblem(value: string): string | undefined {
  return dnsNameProblem(value, { minLabels: 2, wildcard: false, numericLastLabel: false });
}

/** A record name relative to its zone: "@" (the apex), "www", "a.b", "*" or "*.shop". */
export function recordNameProblem(value: string): string | undefined {
  if (value === "@" || value === "*") return undefined;
  return dnsNameProblem(value, { minLabels: 1, wildcard: true, numericLastLabel: true });
}

/** A host name a route matches on (TLS SNI or HTTP Host): "api.example.nl" or "*.api.example.nl". */
export function hostnameProblem(value: string): string | undefined {
  return dnsNameProblem(value, { minLabels: 2, wildcard: true, numericLastLabel: false });
}

/** Tag keys are ours too: ownership tags mark what this tool may change or delete. */
const RESERVED_TAG_KEY = /^(managedby|ipv6proxy.*)$/i;
/** Azure allows 50 tags per resource; the rest is kept for this tool's own (managedBy, ipv6Proxy*). */
export const MAX_USER_TAGS = 40;

export function tagKeyProblem(value: string): string | undefined {
  if (value.length < 1 || value.length > 128) return "must be 1 to 128 characters long";
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) return "may only contain letters, digits, and _ . -";
  if (RESERVED_TAG_KEY.test(value))
    return 'is reserved: "managedBy" and "ipv6Proxy..." tags mark the resources this tool owns';
  return undefined;
}

// Whitespace (Unicode too), quotes, backtick, the characters Azure forbids in tags, and C0/C1 controls.
const TAG_VALUE_FORBIDDEN = /[\s"'`<>%&\\?/\p{Cc}]/u;

export function tagValueProblem(value: string): string | undefined {
  if ([...value].length > 256) return "is longer than 256 characters";
  const bad = TAG_VALUE_FORBIDDEN.exec(value);
  if (bad)
    return `must not contain ${JSON.stringify(bad[0])} (no whitespace, quotes, control characters or < > % & \\ ? /)`;
  return undefined;
}
