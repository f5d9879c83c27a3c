/** Reading RunCommandLinux's answer: the two streams, and the serving check's verdict. */
import { describe, expect, it } from "vitest";
import { judgeServing, parseRunCommandMessage, VERDICTS, verdictLine } from "../../src/dataplane/serving.js";

const SHA = "c".repeat(64);

describe("parseRunCommandMessage", () => {
  it("splits the extension's message into stdout and stderr", () => {
    expect(parseRunCommandMessage("Enable succeeded: \n[stdout]\nline 1\nline 2\n\n[stderr]\nwarn\n")).toEqual({
      stdout: "line 1\nline 2\n",
      stderr: "warn\n",
    });
  });

  it("keeps a [stderr] marker printed on stdout inside stdout", () => {
    const message = "Enable succeeded: \n[stdout]\nsaw [stderr] once\n\n[stderr]\n\n[stderr]\nreal\n";
    expect(parseRunCommandMessage(message).stderr).toBe("real\n");
  });

  it("keeps a message of another shape whole, as stderr", () => {
    expect(parseRunCommandMessage("Enable failed: failed to download")).toEqual({
      stdout: "",
      stderr: "Enable failed: failed to download",
    });
  });
});

describe("judgeServing", () => {
  it("counts only the last verdict line, for this very config", () => {
    const stdout = `${verdictLine(VERDICTS.serving(SHA))}\n${verdictLine(VERDICTS.haproxyDown)}\n`;
    expect(judgeServing({ stdout, stderr: "haproxy.service: inactive\n" }, SHA)).toEqual({
      serving: false,
      reason: "haproxy-down",
      message: `${VERDICTS.haproxyDown}\nhaproxy.service: inactive`,
    });
    const ok = `applied config sha256=${SHA} changed=no\n${verdictLine(VERDICTS.serving(SHA))}\n`;
    expect(judgeServing({ stdout: ok, stderr: "" }, SHA)).toMatchObject({ serving: true });
    expect(judgeServing({ stdout: ok, stderr: "" }, "d".repeat(64))).toMatchObject({ serving: false });
  });

  it("finds the verdict when the start of stdout was cut at 4,096 bytes", () => {
    const stdout = `${"x".repeat(5000).slice(-4000)}\n${verdictLine(VERDICTS.serving(SHA))}\n`;
    expect(judgeServing({ stdout, stderr: "" }, SHA).serving).toBe(true);
  });

  it("is not serving when the check gave no verdict", () => {
    expect(judgeServing({ stdout: "", stderr: "Killed\n" }, SHA)).toEqual({
      serving: false,
      reason: "no-verdict",
      message: "the VM gave no verdict (the check did not run to its end)\nKilled",
    });
  });

  it("tells a failed first boot from a refused config", () => {
    const boot = judgeServing({ stdout: `${verdictLine(VERDICTS.firstBootFailed)}\n`, stderr: "" }, SHA);
    const refused = judgeServing({ stdout: `${verdictLine(VERDICTS.configNotApplied)}\n`, stderr: "" }, SHA);
    expect([boot, refused].map((v) => !v.serving && v.reason)).toEqual(["first-boot-failed", "config-not-applied"]);
  });
});
