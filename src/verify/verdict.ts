/**
 * The verdict on one proxy from what its VMs and its zone's name servers
 * answered. A failure means users cannot reach the site through the proxy: no
 * backend is UP, a DNS name is missing or points elsewhere, a port is not
 * served. A warning means it serves, but something needs attention: some
 * backends are DOWN, a VM runs another config than the one applied.
 */
import { judgeOutside } from "./outside-in.js";
import type {
  DnsCheck,
  HealthReport,
  HealthSource,
  OutsideCheck,
  ProxyHealth,
  ServerCheck,
  Verdict,
  VerifyTarget,
  VmHealth,
} from "./types.js";

const RUN_COMMAND_ACTION = "Microsoft.Compute/virtualMachines/runCommand/action";

/**
 * `outside` is the check from outside, made when the identity may not use Run
 * Command on any of the proxy's VMs (src/verify/outside-in.ts).
 */
export function judgeProxy(
  target: VerifyTarget,
  vms: VmHealth[],
  dns: DnsCheck[],
  durationMs: number,
  outside?: OutsideCheck,
): ProxyHealth {
  const failures: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const several = vms.length > 1;
  const on = (vm: VmHealth) => (several ? ` on ${vm.vm.name}` : "");

  if (!target.ipv6Address) failures.push("the proxy has no public IPv6 address in Azure");
  if (vms.length === 0) failures.push("the proxy has no VM in Azure");

  const checked = vms.filter((v) => v.status !== "not-permitted");
  const outsideMade = outside?.probes.some((p) => p.outcome !== "unreachable") ?? false;
  for (const vm of vms.filter((v) => v.status === "not-permitted")) {
    notes.push(
      outsideMade
        ? `HAProxy's own view${on(vm)} not read: the Azure identity may not use Run Command (${RUN_COMMAND_ACTION}); backends checked from outside instead`
        : `backend health${on(vm)} not checked: the Azure identity may not use Run Command (${RUN_COMMAND_ACTION})`,
    );
  }
  if (outside) {
    const judged = judgeOutside(outside, describeBackend);
    failures.push(...judged.failures);
    warnings.push(...judged.warnings);
    notes.push(...judged.notes);
  }
  const source: HealthSource = checked.length > 0 ? "run-command" : outsideMade ? "outside-in" : "none";
  const serving: VmHealth[] = [];
  const vmProblems: string[] = [];
  for (const vm of checked) {
    const problem = vmProblem(vm);
    if (problem) {
      vmProblems.push(`${vm.vm.name}: ${problem}`);
      continue;
    }
    const answer = vm.answer!;
    if (answer.configSha256 !== target.expectedConfigSha256) {
      warnings.push(
        `HAProxy${on(vm)} runs config sha256 ${short(answer.configSha256)}, not the applied ${short(target.expectedConfigSha256)}`,
      );
    }
    const cut = answer.serverCount - answer.servers.length;
    if (cut > 0) notes.push(`${cut} UP server(s)${on(vm)} not listed: Run Command returns only 4 KB of output`);
    if (answer.servers.some((s) => s.up)) serving.push(vm);
  }

  if (checked.length > 0 && serving.length === 0) {
    const why = vmProblems.length ? vmProblems : checked.map((vm) => `${vm.vm.name}: ${downList(vm.answer!.servers)}`);
    failures.push(`no backend is UP, so the proxy serves nothing (${why.join("; ")})`);
  } else {
    for (const p of vmProblems) warnings.push(`VM ${p}`);
  }

  for (const vm of serving) {
    const down = vm.answer!.servers.filter((s) => !s.up);
    if (down.length) warnings.push(`backend(s) DOWN${on(vm)}: ${downList(down)}`);
    for (const backend of deadBackends(vm.answer!.servers)) {
      warnings.push(`${describeBackend(backend)}${on(vm)} has no server UP: its clients are refused`);
    }
    const known = new Set(vm.answer!.servers.map((s) => s.server));
    const unknown = target.backends.filter((b) => !known.has(b));
    if (unknown.length && vm.answer!.serverCount === vm.answer!.servers.length) {
      warnings.push(`HAProxy${on(vm)} does not check ${unknown.join(", ")} from the proxy file`);
    }
  }

  const answered = checked.filter((v) => v.status === "answered" && v.answer?.complete);
  for (const port of target.ports) {
    const listening = answered.filter((v) => v.answer!.listening.includes(port));
    if (answered.length > 0 && listening.length === 0) failures.push(`nothing listens on port ${port}`);
    else if (listening.length < answered.length) {
      const missing = answered.filter((v) => !v.answer!.listening.includes(port)).map((v) => v.vm.name);
      warnings.push(`port ${port} is not served on ${missing.join(", ")}`);
    }
  }

  for (const d of dns) {
    if (d.status === "missing") failures.push(`${d.name} has no AAAA record on the zone's name servers`);
    if (d.status === "wrong")
      failures.push(
        `${d.name} points at ${d.addresses.join(", ") || "nothing"} on the zone's name servers, not at ${target.ipv6Address ?? "the proxy"}`,
      );
    if (d.status === "unanswered")
      warnings.push(`${d.name}: no answer from the zone's name servers (${d.detail ?? ""})`);
  }

  return {
    proxy: target.proxy,
    ...(target.file ? { file: target.file } : {}),
    ...(target.ipv6Address ? { ipv6Address: target.ipv6Address } : {}),
    ...(target.ipv4Address ? { ipv4Address: target.ipv4Address } : {}),
    vms,
    ...(outside ? { outside } : {}),
    source,
    dns,
    verdict: failures.length ? "failure" : warnings.length ? "warning" : "healthy",
    failures,
    warnings,
    notes,
    durationMs,
  };
}

/** Why a VM whose check ran cannot serve, or undefined when it can. */
function vmProblem(vm: VmHealth): string | undefined {
  if (vm.status === "error") return `the health check failed: ${vm.error ?? "no answer"}`;
  const a = vm.answer;
  if (!a?.complete) return "the health check did not finish (no summary line in Run Command's output)";
  if (a.haproxy === "missing")
    return `HAProxy is not installed${a.cloudInit && a.cloudInit !== "done" ? ` (cloud-init: ${a.cloudInit})` : ""}`;
  if (a.haproxy !== "active") return "HAProxy is not running";
  if (a.statsError !== undefined) return `HAProxy's stats socket did not answer: ${a.statsError}`;
  return undefined;
}

function worstVerdict(verdicts: Verdict[]): Verdict {
  if (verdicts.includes("failure")) return "failure";
  if (verdicts.includes("warning")) return "warning";
  return "healthy";
}

export function healthReport(proxies: ProxyHealth[], durationMs: number): HealthReport {
  const sorted = [...proxies].sort((a, b) => (a.proxy < b.proxy ? -1 : a.proxy > b.proxy ? 1 : 0));
  return { proxies: sorted, verdict: worstVerdict(sorted.map((p) => p.verdict)), durationMs };
}

/** HAProxy backends (a port's defaults, a route) where no server is UP. */
function deadBackends(servers: ServerCheck[]): string[] {
  const byBackend = new Map<string, boolean>();
  for (const s of servers) byBackend.set(s.backend, (byBackend.get(s.backend) ?? false) || s.up);
  return [...byBackend].filter(([, up]) => !up).map(([name]) => name);
}

/** port_443_route_2 → "port 443, route 2"; port_80_default → "port 80, default backends". */
export function describeBackend(name: string): string {
  const m = /^port_(\d+)_(default|route_(\d+))$/.exec(name);
  if (!m) return name;
  return `port ${m[1]}, ${m[3] ? `route ${m[3]}` : "default backends"}`;
}

function serverLabel(s: ServerCheck): string {
  return s.port ? `${s.server}:${s.port}` : s.server;
}

export function downReason(s: ServerCheck): string {
  return [s.status, s.check, s.reason].filter(Boolean).join(" ");
}

function downList(servers: ServerCheck[]): string {
  const down = servers.filter((s) => !s.up);
  if (down.length === 0) return "HAProxy lists no backend servers";
  return down.map((s) => `${serverLabel(s)} (${downReason(s)})`).join(", ");
}

function short(sha: string | undefined): string {
  return sha ? sha.slice(0, 12) : "unknown";
}
