/**
 * No value the action logs can become a workflow command: the line-level rule
 * (withoutWorkflowCommands) and the output layer every run goes through
 * (safeCore), performed with the injections they exist for.
 */
import { describe, expect, it } from "vitest";
import type { ActionCore, Annotation } from "../../src/action/entry.js";
import { safeCore } from "../../src/action/logger.js";
import { withoutWorkflowCommands } from "../../src/model/safe-text.js";
import { commandsIn, parseCommand } from "../support/workflow-commands.js";

/** What a hostile proxy file, Azure tag, error message or comment field could carry: each is a command to the runner. */
const ATTACKS = [
  "x\n::add-mask::INJECTED",
  "x\r::stop-commands::INJECTED",
  "x\r\n  ::error title=Approved::INJECTED",
  "x\n\u2028\u00a0\u3000::warning::INJECTED",
  "anything ##[add-mask]INJECTED",
  "::add-mask::INJECTED at the very start",
];
/** Line breaks the runner does not split on, escapes it does not decode, and hidden characters in front. */
const ODDITIES = [
  "x\v::set-output name=ok::INJECTED",
  "x\f::add-mask::INJECTED",
  "x\u0085::add-mask::INJECTED",
  "%0A::add-mask::INJECTED (escaped, as a record field might carry it)",
  "\u202e::add-mask::INJECTED behind a bidi override",
  "\u200b::add-mask::INJECTED behind a zero-width space",
];
const PAYLOADS = [...ATTACKS, ...ODDITIES];

describe("the runner's parser (negative control)", () => {
  it("takes each attack for a command, and none of the oddities", () => {
    for (const payload of ATTACKS) expect(commandsIn(payload).length, JSON.stringify(payload)).toBeGreaterThan(0);
    for (const payload of ODDITIES) expect(commandsIn(payload), JSON.stringify(payload)).toEqual([]);
    expect(parseCommand("  ::ADD-MASK::x")?.command).toBe("add-mask");
    expect(parseCommand("::no-such-command::x")).toBeUndefined();
  });
});

describe("withoutWorkflowCommands", () => {
  it("leaves no line the runner would take for a command, and keeps the text readable", () => {
    for (const payload of PAYLOADS) {
      const safe = withoutWorkflowCommands(payload);
      expect(commandsIn(safe), JSON.stringify(payload)).toEqual([]);
      expect(safe).toContain("INJECTED");
    }
    expect(withoutWorkflowCommands("a\n::add-mask::b")).toBe("a\n\\::add-mask::b");
    expect(withoutWorkflowCommands("see ##[group]x")).toBe("see ##\\[group]x");
    expect(withoutWorkflowCommands("plain text: a::b, c\nd")).toBe("plain text: a::b, c\nd");
  });

  it("turns CR, VT, FF, NEL and the Unicode line separators into plain line breaks", () => {
    expect(withoutWorkflowCommands("a\rb\r\nc\vd\fe\u2028f\u2029g")).toBe("a\nb\nc\nd\ne\nf\ng");
  });
});

/** Records what reaches @actions/core, and shows it as @actions/core would write it. */
function recordingCore() {
  const lines: string[] = [];
  const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const escapeProp = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const props = (a?: Annotation) =>
    a
      ? ` ${Object.entries(a)
          .map(([k, v]) => `${k}=${escapeProp(String(v))}`)
          .join(",")}`
      : "";
  const core: ActionCore = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`::warning::${escapeData(m)}`),
    error: (m, a) => lines.push(`::error${props(a)}::${escapeData(m)}`),
    debug: (m) => lines.push(`::debug::${escapeData(m)}`),
    async group(name, fn) {
      lines.push(`::group::${escapeData(name)}`);
      try {
        return await fn();
      } finally {
        lines.push("::endgroup::");
      }
    },
    setOutput: () => undefined,
    appendSummary: async () => undefined,
  };
  return { core, output: () => lines.join("\n") };
}

describe("safeCore", () => {
  it("lets no payload out as a command of its own, whichever method logs it", async () => {
    const { core, output } = recordingCore();
    const safe = safeCore(core);
    for (const p of PAYLOADS) {
      safe.info(`value: ${p}`);
      safe.info(p);
      safe.warning(p);
      safe.error(p, { title: p, file: `proxies/${p}.yaml`, startLine: 1 });
      safe.debug(p);
      await safe.group(p, async () => safe.info(p));
    }
    // Every command in the output is one the action issued itself: error, warning, debug, group.
    const commands = commandsIn(output());
    expect(new Set(commands.map((c) => c.command))).toEqual(
      new Set(["warning", "error", "debug", "group", "endgroup"]),
    );
    // The forged annotation never stands on its own line.
    expect(commands.filter((c) => /^\s*::error title=Approved/u.test(c.line))).toEqual([]);
    expect(commands.every((c) => c.syntax === "::")).toBe(true);
    expect(output()).toContain("INJECTED");
  });

  it("shows hidden and control characters instead of passing them on", () => {
    const { core, output } = recordingCore();
    safeCore(core).warning("tag \u202eevil\u200b \u001b[31mred");
    expect(output()).toBe("::warning::tag \ufffdevil\ufffd \ufffd[31mred");
  });
});
