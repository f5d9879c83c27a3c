/** dist/ is what GitHub runs: it must be exactly what `npm run build` makes from src/ now. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const check = join(root, ".build", "dist-check");

afterAll(() => rmSync(check, { recursive: true, force: true }));

describe("dist/", () => {
  it("equals a fresh build (run `npm run build` and commit dist/ when this fails)", () => {
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), check, "--check-sources"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const files = (dir: string) => readdirSync(dir).sort();
    expect(files(join(root, "dist"))).toEqual(files(check));
    for (const f of files(check)) {
      const same = readFileSync(join(root, "dist", f)).equals(readFileSync(join(check, f)));
      expect(same, `dist/${f} differs from a fresh build`).toBe(true);
    }
  }, 300_000);

  it("ships no browser launcher: an action never signs in interactively", () => {
    const files = readdirSync(join(root, "dist"));
    expect(files).not.toContain("xdg-open");
    for (const f of files) expect(readFileSync(join(root, "dist", f), "utf8"), `dist/${f}`).not.toContain("xdg-open");
  });

  it("carries every file of src/dataplane/vm/ byte for byte", () => {
    const bundle = readdirSync(join(root, "dist"))
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(root, "dist", f), "utf8"));
    const vmDir = join(root, "src", "dataplane", "vm");
    const files = readdirSync(vmDir);
    expect(files).toContain("ipv6-proxy-serving-check.sh");
    for (const name of files) {
      const text = readFileSync(join(vmDir, name), "utf8");
      const firstLine = text.slice(0, text.indexOf("\n"));
      const literals = bundle.flatMap((code) => stringLiteralsStartingWith(code, firstLine));
      expect(literals, `dist/ has no string that is src/dataplane/vm/${name}`).toContain(text);
    }
  });

  it("is an ES module bundle for the node24 runtime that action.yml names", () => {
    const action = readFileSync(join(root, "action.yml"), "utf8");
    expect(action).toMatch(/using:\s*['"]?node24/);
    expect(action).toMatch(/main:\s*['"]?dist\/index\.js/);
    expect(JSON.parse(readFileSync(join(root, "dist", "package.json"), "utf8"))).toEqual({ type: "module" });
  });
});

/**
 * The values of the string literals in minified code that start with `prefix`,
 * however the minifier quoted them: each literal is found by its opening
 * quote, read to its closing one, and evaluated (a template literal with an
 * expression in it is skipped: it is no constant).
 */
function stringLiteralsStartingWith(code: string, prefix: string): string[] {
  const openings = [
    `\`${prefix.replace(/[\\`]|\$\{/g, (c) => `\\${c}`)}`,
    JSON.stringify(prefix).slice(0, -1),
    `'${JSON.stringify(prefix).slice(1, -1).replace(/'/g, "\\'")}`,
  ];
  const values: string[] = [];
  for (const opening of openings) {
    const quote = opening[0]!;
    for (let start = code.indexOf(opening); start >= 0; start = code.indexOf(opening, start + 1)) {
      let i = start + 1;
      while (i < code.length && code[i] !== quote && !(quote === "`" && code.startsWith("${", i))) {
        i += code[i] === "\\" ? 2 : 1;
      }
      if (code[i] !== quote) continue;
      values.push(new Function(`return ${code.slice(start, i + 1)};`)() as string);
    }
  }
  return values;
}
