/**
 * The report script against real HAProxy running the rendered config, in the
 * proxy's network namespace: what it prints is what src/verify reads, and
 * the emulator's simulated VM says the same as real HAProxy for the same
 * config and backend states.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { REPORT_SCRIPT } from "../../src/dataplane/vm-files.js";
import { configSha256 } from "../../src/dataplane/vmscripts.js";
import { simulatedReportOutput } from "../../src/emulator/simulated-haproxy.js";
import { parseHealthAnswer } from "../../src/verify/health-report.js";
import type { HealthAnswer } from "../../src/verify/types.js";
import { ADDR } from "../support/netns.js";
import { NSENTER, PYTHON3, requirements, SS } from "../support/requirements.js";
import { LAB_REQUIREMENTS, type Lab, startLab, trafficSpec } from "../support/traffic-lab.js";

const needs = await requirements("data-plane", ...LAB_REQUIREMENTS, NSENTER, PYTHON3, SS);

const execFileAsync = promisify(execFile);
const [B1, B2] = ADDR.backendV4;
const config = renderHaproxyConfig(trafficSpec({ backends: [B1!, B2!], ports: [80, 443] }));

/** The comparable part of an answer: who is UP or DOWN, and why. */
const states = (a: HealthAnswer) =>
  a.servers.map((s) => `${s.backend} ${s.server} ${s.up ? "UP" : "DOWN"} ${s.status} ${s.check} ${s.reason}`).sort();

describe("report script on real HAProxy", needs, () => {
  let lab: Lab;

  /** Runs the script as Run Command would (bash, as root), inside HAProxy's network and mount namespaces. */
  async function runScript(): Promise<string> {
    const haproxy = lab.haproxy!;
    const { stdout } = await execFileAsync(
      "nsenter",
      [
        "-t",
        String(haproxy.masterPid()),
        "-m",
        "-n",
        "env",
        `IPV6_PROXY_CFG=${haproxy.cfgPath}`,
        `IPV6_PROXY_ACTIVE_CMD=kill -0 ${haproxy.masterPid()}`,
        "bash",
        "-c",
        REPORT_SCRIPT,
      ],
      { maxBuffer: 1 << 20 },
    );
    return stdout;
  }

  /** Asks until HAProxy's checks agree with `want` for backend `address`, within a bound (checks run every 2 s). */
  async function answerWhen(address: string, up: boolean): Promise<HealthAnswer> {
    const deadline = Date.now() + 15_000;
    let last: HealthAnswer | undefined;
    while (Date.now() < deadline) {
      last = parseHealthAnswer(await runScript());
      const mine = last.servers.filter((s) => s.server === address);
      if (mine.length > 0 && mine.every((s) => s.up === up && !/\d\/\d/.test(s.status))) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`HAProxy never saw ${address} ${up ? "UP" : "DOWN"}: ${JSON.stringify(last)}`);
  }

  beforeAll(async () => {
    lab = await startLab({ tag: "health", backendCount: 2 });
    await lab.startHaproxy(config);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("reports the running config's hash, the ports HAProxy listens on and every server UP", async () => {
    const answer = await answerWhen(B2!, true);
    expect(answer.complete).toBe(true);
    expect(answer.haproxy).toBe("active");
    expect(answer.configSha256).toBe(configSha256(config));
    expect(answer.listening).toEqual([80, 443]);
    expect(answer.serverCount).toBe(4);
    expect(states(answer)).toEqual([
      `port_443_default ${B1} UP UP L4OK Layer4 check passed`,
      `port_443_default ${B2} UP UP L4OK Layer4 check passed`,
      `port_80_default ${B1} UP UP L4OK Layer4 check passed`,
      `port_80_default ${B2} UP UP L4OK Layer4 check passed`,
    ]);
  });

  it("reports a dead backend DOWN with HAProxy's reason, as the emulator's simulated VM does", async () => {
    await lab.backends[1]!.kill();
    const real = await answerWhen(B2!, false);
    expect(states(real)).toEqual([
      `port_443_default ${B1} UP UP L4OK Layer4 check passed`,
      `port_443_default ${B2} DOWN DOWN L4CON Connection refused`,
      `port_80_default ${B1} UP UP L4OK Layer4 check passed`,
      `port_80_default ${B2} DOWN DOWN L4CON Connection refused`,
    ]);
    // The emulator, told the same, answers the same.
    const simulated = parseHealthAnswer(
      simulatedReportOutput({
        config,
        running: true,
        backendHealth: (address) => (address === B2 ? { up: false, failure: "refused" } : undefined),
      }),
    );
    expect(states(simulated)).toEqual(states(real));
    expect({ ...simulated, servers: [] }).toEqual({ ...real, servers: [], cloudInit: simulated.cloudInit });
  });
});
