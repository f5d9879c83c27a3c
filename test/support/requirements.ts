/**
 * What a test needs from the machine beyond Node and npm (a program, root,
 * network namespaces), and what happens when it is missing:
 *
 * - on a contributor's machine the tests that need it are skipped, and the run
 *   ends with one line per reason, naming the count and the fix
 *   ("skipped 14 data-plane tests: haproxy not installed (apt-get install haproxy)",
 *   printed by requirements-reporter.ts);
 * - under CI=true nothing may be skipped: the test file fails to load, with
 *   the same words, and .ci/run installs everything.
 *
 * Usage, at the top of a test file:
 *   const needs = await requirements("data-plane", HAPROXY, CURL);
 *   describe("...", needs, () => { ... });       // or it("...", needs, () => ...)
 * Hooks that use the tools belong inside that describe: a skipped suite runs none.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import type { TestOptions } from "vitest";
import { NAMESPACE_PREFIX } from "./netns.js";

declare module "vitest" {
  interface TaskMeta {
    /** Set on tests skipped for a missing requirement; read by requirements-reporter.ts. */
    skippedFor?: { group: string; reason: string };
  }
}

export interface Requirement {
  /** What is needed, e.g. "haproxy". */
  name: string;
  /** Why it cannot be used on this machine ("haproxy not installed"), or undefined when it can. */
  problem(): Promise<string | undefined>;
  /** The Debian package that has it, e.g. "haproxy"; fixes name all missing packages in one apt-get line. */
  apt?: string;
  /** How to get it when it is not a package, e.g. "run as root". */
  fix?: string;
}

/** CI=true (GitHub Actions, .ci/run) or CI=1. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1";
}

export class MissingRequirementError extends Error {
  constructor(group: string, reason: string) {
    super(
      `CI=true: the ${group} tests are required, and this machine lacks: ${reason}. ` +
        "Install it (.ci/run does), or run without CI=true to skip them.",
    );
    this.name = "MissingRequirementError";
  }
}

/**
 * Test options for tests that need `needed`: empty when all are usable;
 * otherwise skip (with the reason in the test's meta for the reporter), or,
 * under CI, throw MissingRequirementError so the file fails loudly.
 */
export async function requirements(
  group: string,
  ...needed: Requirement[]
): Promise<Pick<TestOptions, "skip" | "meta">> {
  return decide(group, needed, isCI());
}

/** requirements() with the CI decision given: the part its own tests exercise. */
export async function decide(
  group: string,
  needed: Requirement[],
  ci: boolean,
): Promise<Pick<TestOptions, "skip" | "meta">> {
  const missing: { problem: string; requirement: Requirement }[] = [];
  for (const requirement of new Set(needed)) {
    const problem = await requirement.problem();
    if (problem) missing.push({ problem, requirement });
  }
  if (missing.length === 0) return {};
  const packages = [...new Set(missing.flatMap((m) => (m.requirement.apt ? [m.requirement.apt] : [])))];
  const fixes = [
    ...(packages.length > 0 ? [`apt-get install ${packages.join(" ")}`] : []),
    ...new Set(missing.flatMap((m) => (m.requirement.fix ? [m.requirement.fix] : []))),
  ];
  const reason = `${missing.map((m) => m.problem).join(", ")} (${fixes.join("; ")})`;
  if (ci) throw new MissingRequirementError(group, reason);
  return { skip: true, meta: { skippedFor: { group, reason } } };
}

/** Where a program is: on PATH, or in an sbin directory that a user's PATH often lacks. */
export function findProgram(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A program, found as findProgram does; `aptPackage` names the Debian package that has it. */
export function program(command: string, aptPackage = command): Requirement & { path(): string } {
  return {
    name: command,
    apt: aptPackage,
    problem: async () => (findProgram(command) ? undefined : `${command} not installed`),
    path() {
      const found = findProgram(command);
      if (!found) throw new Error(`${command} not installed (apt-get install ${aptPackage})`);
      return found;
    },
  };
}

const execFileAsync = promisify(execFile);

/** Works when `probe` (a command line) succeeds. */
function probed(name: string, problem: string, apt: string, probe: [string, ...string[]]): Requirement {
  return {
    name,
    apt,
    async problem() {
      try {
        await execFileAsync(probe[0], probe.slice(1), { timeout: 30_000 });
        return undefined;
      } catch {
        return problem;
      }
    },
  };
}

export const HAPROXY = program("haproxy");
export const CLOUD_INIT = program("cloud-init");
export const SYSTEMD_ANALYZE = program("systemd-analyze", "systemd");
export const SHELLCHECK = program("shellcheck");
export const BASH = program("bash");
export const CURL = program("curl");
export const FLOCK = program("flock", "util-linux");
export const OPENSSL = program("openssl");
export const IP = program("ip", "iproute2");
export const SS = program("ss", "iproute2");
export const SYSCTL = program("sysctl", "procps");
export const GNU_DIFF = program("diff", "diffutils");
export const GNU_PATCH = program("patch");
export const BASE64 = program("base64", "coreutils");
export const SHA256SUM = program("sha256sum", "coreutils");
export const TIMEOUT = program("timeout", "coreutils");
export const IPVSADM = program("ipvsadm");
export const NFT = program("nft", "nftables");
export const NEEDRESTART = program("needrestart");
export const APT_CONFIG = program("apt-config", "apt");

/** The haproxy package installed by dpkg, whose maintainer scripts say what an upgrade does to the service. */
export const HAPROXY_PACKAGE: Requirement = {
  name: "haproxy package",
  apt: "haproxy",
  problem: async () => {
    try {
      accessSync("/var/lib/dpkg/info/haproxy.postinst", constants.R_OK);
      return undefined;
    } catch {
      return "the haproxy package is not installed with dpkg";
    }
  },
};
export const NSENTER = program("nsenter", "util-linux");
/** On-VM scripts talk to HAProxy's admin socket with python3, as Ubuntu's images have it. */
export const PYTHON3 = program("python3", "python3-minimal");

/** PyYAML, the parser cloud-init reads its config with. */
export const PYYAML: Requirement = probed("PyYAML", "python3 with PyYAML not installed", "python3-yaml", [
  "python3",
  "-c",
  "import yaml",
]);

export const ROOT: Requirement = {
  name: "root",
  fix: "run as root, e.g. sudo npm test",
  problem: async () => (process.getuid?.() === 0 ? undefined : "not root"),
};

/** Root, iproute2, and a kernel that lets us create network namespaces (some containers do not). */
export const NETWORK_NAMESPACES: Requirement = {
  name: "network namespaces",
  apt: "iproute2",
  fix: "run as root on Linux, outside a container that forbids network namespaces",
  async problem() {
    if (process.platform !== "linux") return "network namespaces need Linux";
    if ((await ROOT.problem()) || (await IP.problem())) return "network namespaces need root and iproute2";
    // Named like every test namespace (netns.ts), so a crashed run's probe is cleaned up with the rest.
    const probe = `${NAMESPACE_PREFIX}${process.pid}-probe`;
    try {
      await execFileAsync(IP.path(), ["netns", "add", probe]);
      await execFileAsync(IP.path(), ["netns", "del", probe]);
      return undefined;
    } catch (e) {
      return `ip netns add failed (${(e as Error).message.split("\n")[0]})`;
    }
  },
};

/** Any address in 127.0.0.0/8 answers on Linux's loopback; elsewhere only 127.0.0.1 may. */
export const LOOPBACK_RANGE: Requirement = {
  name: "127.0.0.0/8 loopback",
  fix: "run on Linux",
  problem: async () => (process.platform === "linux" ? undefined : "127.0.0.2 and up are not on the loopback here"),
};

/** What the VM's apply script (src/dataplane/vmscripts.ts) runs, as on the VM. */
export const APPLY_SCRIPT_PROGRAMS: Requirement[] = [BASH, CURL, FLOCK, BASE64, SHA256SUM, HAPROXY];
