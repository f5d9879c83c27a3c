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

  it("is an ES module bundle for the node24 runtime that action.yml names", () => {
    const action = readFileSync(join(root, "action.yml"), "utf8");
    expect(action).toMatch(/using:\s*['"]?node24/);
    expect(action).toMatch(/main:\s*['"]?dist\/index\.js/);
    expect(JSON.parse(readFileSync(join(root, "dist", "package.json"), "utf8"))).toEqual({ type: "module" });
  });
});
