/**
 * Typed, located reads from a parsed YAML document. Every read either returns
 * a value of the expected type or records one SpecError pointing at the
 * offending value (or key), and lets the caller carry on, so one pass reports
 * every mistake in a file.
 */
import { isAlias, isMap, isScalar, isSeq, type LineCounter, type YAMLMap, type Node as YamlNode } from "yaml";
import { closestMatch } from "./suggest.js";
import type { SourceLocation, SpecError } from "./types.js";

/** A value in the document and where to point when it is wrong. */
export interface Entry {
  node: YamlNode | null;
  at: SourceLocation;
}

/** A value that was read, with its field path and place. */
export interface Located<T> {
  value: T;
  field: string;
  at: SourceLocation;
}

/** The keys of a mapping that passed the key checks. */
export type Fields = Map<string, Entry>;

/** Shows a value in a message; long values are cut so one bad line cannot flood the output. */
export function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

function describe(node: YamlNode | null): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  const value: unknown = isScalar(node) ? node.value : null;
  if (value === null || value === undefined) return "empty";
  if (typeof value === "string") return `the string ${quote(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${String(value)}`;
  return "an unsupported value";
}

export class SpecReader {
  readonly errors: SpecError[] = [];
  /** Where each value that was read sits, by field path: "backends", "dns.records[0]". */
  readonly locations: Record<string, SourceLocation> = {};

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  report(at: SourceLocation, field: string, message: string): void {
    this.errors.push({ ...at, field, message });
  }

  entry(node: YamlNode | null, fallback: SourceLocation): Entry {
    return { node, at: node?.range ? this.at(node.range[0]) : fallback };
  }

  /** Aliases would let one value stand in for another far away; proxy files spell values out. */
  private usable(entry: Entry, field: string): boolean {
    this.locations[field] = entry.at;
    if (!isAlias(entry.node)) return true;
    this.report(entry.at, field, `YAML aliases (*${entry.node.source}) are not supported here; write the value out`);
    return false;
  }

  private wrongType(entry: Entry, field: string, expected: string): undefined {
    const subject = field ? "must be" : "a proxy file must be";
    this.report(entry.at, field, `${subject} ${expected}, not ${describe(entry.node)}`);
    return undefined;
  }

  /** The key/value pairs of a mapping whose keys are strings; reports anything else. */
  pairs(entry: Entry, field: string): { key: string; keyAt: SourceLocation; value: Entry }[] | undefined {
    if (!this.usable(entry, field)) return undefined;
    if (!isMap(entry.node)) return this.wrongType(entry, field, "a mapping");
    const result: { key: string; keyAt: SourceLocation; value: Entry }[] = [];
    for (const pair of (entry.node as YAMLMap<YamlNode | null, YamlNode | null>).items) {
      const keyAt = pair.key?.range ? this.at(pair.key.range[0]) : entry.at;
      const key: unknown = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== "string") {
        this.report(keyAt, field, `keys must be plain names, not ${describe(pair.key)}`);
        continue;
      }
      // An empty value ("dns:") has no node of its own to point at; point at the key.
      result.push({ key, keyAt, value: this.entry(pair.value, keyAt) });
    }
    return result;
  }

  /** A mapping whose keys are all known; reports unknown, duplicate and missing keys. */
  map(entry: Entry, field: string, known: readonly string[], required: readonly string[]): Fields | undefined {
    const pairs = this.pairs(entry, field);
    if (!pairs) return undefined;
    const fields: Fields = new Map();
    const prefix = field ? `${field}.` : "";
    for (const { key, keyAt, value } of pairs) {
      if (!known.includes(key)) {
        const guess = closestMatch(key, known);
        const hint = guess ? ` (did you mean ${quote(guess)}?)` : ` (known fields: ${known.join(", ")})`;
        this.report(keyAt, `${prefix}${key}`, `unknown field ${quote(key)}${hint}`);
        continue;
      }
      const first = fields.get(key);
      if (first) {
        this.report(keyAt, `${prefix}${key}`, `duplicate key ${quote(key)} (first set on line ${first.at.line})`);
        continue;
      }
      fields.set(key, value);
    }
    for (const key of required) {
      if (!fields.has(key)) this.report(entry.at, `${prefix}${key}`, `required field ${quote(key)} is missing`);
    }
    return fields;
  }

  /** A list of min..max items; the items are returned unchecked with their field paths. */
  list(
    entry: Entry,
    field: string,
    what: string,
    min: number,
    max: number,
  ): { item: Entry; field: string }[] | undefined {
    if (!this.usable(entry, field)) return undefined;
    if (!isSeq(entry.node)) return this.wrongType(entry, field, `a list of ${what}`);
    const nodes = entry.node.items as (YamlNode | null)[];
    if (nodes.length < min || nodes.length > max) {
      const range = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.report(entry.at, field, `must list ${range} ${what}, not ${nodes.length}`);
      return undefined;
    }
    return nodes.map((node, i) => ({ item: this.entry(node, entry.at), field: `${field}[${i}]` }));
  }

  /** A string, checked by `problem` (which returns a fragment that follows the quoted value). */
  string(entry: Entry, field: string, problem: (value: string) => string | undefined): string | undefined {
    if (!this.usable(entry, field)) return undefined;
    const value: unknown = isScalar(entry.node) ? entry.node.value : undefined;
    if (typeof value !== "string") return this.wrongType(entry, field, "a string");
    const message = problem(value);
    if (message) {
      this.report(entry.at, field, `${quote(value)} ${message}`);
      return undefined;
    }
    return value;
  }

  integer(entry: Entry, field: string, min: number, max: number): number | undefined {
    if (!this.usable(entry, field)) return undefined;
    const value: unknown = isScalar(entry.node) ? entry.node.value : undefined;
    if (typeof value !== "number" || !Number.isInteger(value))
      return this.wrongType(entry, field, `a whole number from ${min} to ${max}`);
    if (value < min || value > max) {
      this.report(entry.at, field, `${value} is out of range (${min} to ${max})`);
      return undefined;
    }
    return value;
  }

  boolean(entry: Entry, field: string): boolean | undefined {
    if (!this.usable(entry, field)) return undefined;
    const value: unknown = isScalar(entry.node) ? entry.node.value : undefined;
    return typeof value === "boolean" ? value : this.wrongType(entry, field, "true or false");
  }

  oneOf<T extends string>(entry: Entry, field: string, allowed: readonly T[]): T | undefined {
    const message = `must be one of ${allowed.map((a) => quote(a)).join(", ")}`;
    const value = this.string(entry, field, (v) => ((allowed as readonly string[]).includes(v) ? undefined : message));
    return value as T | undefined;
  }

  /**
   * Reports each value seen before in `items` (compared by `key`) at its second occurrence.
   * Returns the read values without the repeats, in order.
   */
  unique<T>(items: Located<T | undefined>[], key: (v: T) => string): Located<T>[] {
    const seen = new Map<string, string>();
    const result: Located<T>[] = [];
    for (const item of items) {
      const { value, field, at } = item;
      if (value === undefined) continue;
      const first = seen.get(key(value));
      if (first !== undefined) {
        this.report(at, field, `${quote(value)} is listed twice (first as ${first})`);
        continue;
      }
      seen.set(key(value), field);
      result.push({ value, field, at });
    }
    return result;
  }
}
