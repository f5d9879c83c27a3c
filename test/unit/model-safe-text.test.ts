/** The one "safe line" rule, performed with the attacks it exists for. */
import { describe, expect, it } from "vitest";
import { HIDDEN_CHARACTER, oneSafeLine, safeLines } from "../../src/model/safe-text.js";

describe("oneSafeLine", () => {
  it("folds every kind of line break, with the blanks around it, into one space", () => {
    expect(oneSafeLine("a \r\n  b\nc\rd\u2028e\u2029f\u0085g\vh\fi")).toBe("a b c d e f g h i");
  });

  it("keeps a value from starting a GitHub workflow command on a line of its own", () => {
    const out = oneSafeLine("ok\n::add-mask::secret\n::error::forged");
    expect(out.split("\n")).toHaveLength(1);
    expect(out).toBe("ok ::add-mask::secret ::error::forged");
  });

  it("replaces terminal escapes and other controls so they cannot steer a terminal", () => {
    expect(oneSafeLine("x\u001b[2J\u001b]0;pwned\u0007y\u0000z\u007f\u009b")).toBe(
      "x\ufffd[2J\ufffd]0;pwned\ufffdy\ufffdz\ufffd\ufffd",
    );
  });

  it("replaces bidirectional controls that reorder what a reader sees (Trojan Source)", () => {
    const evil = "access\u202e\u2066 // admin\u2069\u2066";
    expect(oneSafeLine(evil)).toBe("access\ufffd\ufffd // admin\ufffd\ufffd");
    expect(oneSafeLine("a\u200eb\u200fc\u061cd")).toBe("a\ufffdb\ufffdc\ufffdd");
  });

  it("replaces zero-width and invisible characters that make two names look alike", () => {
    expect(oneSafeLine("rg-\u200bprod\u200c\u200d\u2060\u2063\ufeff\u180e")).toBe(`rg-\ufffdprod${"\ufffd".repeat(6)}`);
    expect(safeLines("a\u200b\nb\ufeff")).toBe("a\ufffd\nb\ufffd");
    expect(HIDDEN_CHARACTER.test("plain ünïcödé 表")).toBe(false);
    for (const c of ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff"])
      expect(HIDDEN_CHARACTER.test(`x${c}`)).toBe(true);
  });

  it("turns tabs into spaces and leaves ordinary text alone", () => {
    expect(oneSafeLine("a\tb")).toBe("a b");
    const plain = "www.example.nl → 2001:db8::10 (ünïcödé, 表, 👍)";
    expect(oneSafeLine(plain)).toBe(plain);
  });

  it("cuts long values with an ellipsis, never inside a surrogate pair", () => {
    expect(oneSafeLine("abcdef", 4)).toBe("abc…");
    expect(oneSafeLine("abcdef", 6)).toBe("abcdef");
    expect(oneSafeLine("ab👍cd", 4)).toBe("ab…");
  });
});

describe("safeLines", () => {
  it("keeps newlines and tabs, replaces CR and the other controls", () => {
    expect(safeLines("a\tb\nc\r\nd\u001b[31m\u202e")).toBe("a\tb\nc\ufffd\nd\ufffd[31m\ufffd");
  });
});
