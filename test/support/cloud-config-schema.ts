/**
 * Validates a #cloud-config document against cloud-init's own JSON schema
 * (vendored in test/vendor/cloud-init-26.1), so the check runs on any machine;
 * the real `cloud-init schema` runs too where it is installed.
 *
 * Matching cloud-init's validator (cloudinit/config/schema.py, 26.1):
 * - the schema is draft-04, with cloud-init's annotation keywords (label,
 *   hidden, changed*, deprecated_*);
 * - formats are not checked: python-jsonschema's FormatChecker checks "uri"
 *   and "hostname" only when optional packages are installed;
 * - the document is YAML 1.1, as PyYAML reads it (yes/no/on/off, 0755).
 * Stricter than cloud-init: a key the schema marks `deprecated` is an error
 * here (cloud-init only warns), so the document never relies on one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ErrorObject } from "ajv";
import AjvDraft04 from "ajv-draft-04";
import { parse } from "yaml";

export const CLOUD_INIT_SCHEMA_VERSION = "26.1";
/** sha256 of the vendored schema as released (its README says the same): a reformatted copy is not the release. */
export const CLOUD_INIT_SCHEMA_SHA256 = "599c9251f1c3c99de508f1c2b0fa2e40b49e1a84c03d2be769d30cda9e3d4dbf";
export const CLOUD_INIT_SCHEMA_FILE = "schema-cloud-config-v1.json";
export const CLOUD_INIT_SCHEMA_DIR = join(
  import.meta.dirname,
  "..",
  "vendor",
  `cloud-init-${CLOUD_INIT_SCHEMA_VERSION}`,
);

const load = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(CLOUD_INIT_SCHEMA_DIR, file), "utf8")) as Record<string, unknown>;

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = Object.assign(() => false);
let compiled = false;

function compile(): typeof validator {
  if (compiled) return validator;
  // A keyword ajv does not know fails compilation instead of being ignored silently (a newer schema may bring
  // one). The other strict checks are about schema style (`additionalItems` next to a single `items`, which
  // draft-04 ignores too), not meaning, and stay quiet.
  const ajv = new AjvDraft04.default({
    allErrors: true,
    strictSchema: "log",
    logger: {
      log: () => {},
      warn: (message: unknown) => {
        if (/unknown keyword/.test(String(message))) throw new Error(`cloud-init schema: ${String(message)}`);
      },
      error: (message: unknown) => {
        throw new Error(`cloud-init schema: ${String(message)}`);
      },
    },
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    validateFormats: false,
  });
  // cloud-init's annotations: documentation only, no effect on validity.
  ajv.addVocabulary([
    "label",
    "hidden",
    "skip_tags",
    // A draft 2020-12 keyword: cloud-init's Draft4Validator does not know it, so it constrains nothing there either.
    "prefixItems",
    "changed",
    "changed_version",
    "changed_description",
    "deprecated_version",
    "deprecated_description",
  ]);
  ajv.addKeyword({
    keyword: "deprecated",
    schemaType: "boolean",
    // Reached only for keys that are present: a deprecated one fails, a deprecated oneOf branch never matches.
    validate: (deprecated: boolean) => !deprecated,
    errors: false,
  });
  // The file cloud-init validates against (USERDATA_SCHEMA_FILE in cloudinit/config/schema.py).
  validator = ajv.compile(load(CLOUD_INIT_SCHEMA_FILE));
  compiled = true;
  return validator;
}

export interface SchemaResult {
  valid: boolean;
  /** One line per problem: "/write_files/0/permissions must be string". */
  errors: string[];
}

export function validateCloudConfig(document: string): SchemaResult {
  if (!document.startsWith("#cloud-config\n")) {
    return { valid: false, errors: ["the document must start with #cloud-config"] };
  }
  const config: unknown = parse(document, { version: "1.1" });
  const validate = compile();
  const valid = validate(config);
  const errors = (validate.errors ?? []).map((e) =>
    `${e.instancePath || "/"} ${e.message ?? e.keyword} ${e.keyword === "additionalProperties" ? JSON.stringify(e.params) : ""}`.trim(),
  );
  return { valid, errors };
}
