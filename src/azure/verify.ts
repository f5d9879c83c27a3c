/**
 * Checks proxies from the outside, changing nothing: on every VM, the health
 * script through Run Command (all VMs at once, one command per VM: a VM runs
 * one command at a time); for every DNS name, the zone's own name servers.
 * When the identity may not use Run Command on any of a proxy's VMs (the
 * read-only plan identity), its backends are checked from outside instead:
 * connections to its public address (./outside-in.ts). The verdict comes
 * from src/verify/verdict.ts.
 */
import { reportScriptLines } from "../dataplane/report-script.js";
import { mapLimit } from "../engine/concurrency.js";
import type { Logger } from "../log.js";
import { parseHealthAnswer } from "../verify/health-report.js";
import { outsideAddress, outsideProbes } from "../verify/outside-in.js";
import type { DnsCheck, HealthReport, OutsideCheck, VerifyTarget, VmHealth, VmRef } from "../verify/types.js";
import { healthReport, judgeProxy } from "../verify/verdict.js";
import { checkAaaaRecords, type NameServerLocator } from "./authoritative-dns.js";
import type { AzureClients } from "./clients.js";
import { statusOf } from "./ids.js";
import { type OutsideProbeOptions, probeOutside } from "./outside-in.js";
import type { WaitPolicy } from "./retry.js";
import { runShellScript } from "./run-command.js";

export interface VerifyOptions {
  clientsFor: (subscriptionId: string) => AzureClients;
  locateNameServer: NameServerLocator;
  /** VMs and zones asked at once. */
  concurrency: number;
  log: Logger;
  /** How long to wait for a VM that is still busy with another Run Command. */
  waits: WaitPolicy;
  /**
   * Right after an apply, keep asking the name servers about a name that is
   * missing or wrong for up to this long: Azure DNS takes up to 60 seconds to
   * publish a change on all its name servers. 0 (status, drift): ask once.
   */
  dnsSettleMs?: number;
  /** Pause between two rounds of DNS questions while settling. */
  dnsRetryMs?: number;
  /** Timeouts of the check from outside. */
  outside?: OutsideProbeOptions;
}

export async function verifyProxies(targets: VerifyTarget[], opts: VerifyOptions): Promise<HealthReport> {
  const started = Date.now();
  const nameServers = zoneNameServers(opts);
  const proxies = await mapLimit(targets, opts.concurrency, async (target) => {
    const t0 = Date.now();
    const [vms, dns] = await Promise.all([
      Promise.all(target.vms.map((vm) => checkVm(vm, opts))),
      checkDns(target, nameServers, opts),
    ]);
    const outside = await checkFromOutside(target, vms, opts);
    const health = judgeProxy(target, vms, dns, Date.now() - t0, outside);
    opts.log.info(`${target.proxy}: ${health.verdict} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return health;
  });
  return healthReport(proxies, Date.now() - started);
}

async function checkVm(vm: VmRef, opts: VerifyOptions): Promise<VmHealth> {
  const t0 = Date.now();
  try {
    const output = await runShellScript(
      {
        compute: opts.clientsFor(vm.subscriptionId).compute,
        resourceGroup: vm.resourceGroup,
        vmName: vm.name,
        log: opts.log,
        waits: opts.waits,
      },
      reportScriptLines(),
    );
    // RunCommandLinux reports no exit status: the script's own closing line says whether it finished.
    return { vm, status: "answered", answer: parseHealthAnswer(output.stdout), durationMs: Date.now() - t0 };
  } catch (e) {
    return {
      vm,
      status: statusOf(e) === 403 ? "not-permitted" : "error",
      error: (e instanceof Error ? e.message : String(e)).split("\n")[0]!,
      durationMs: Date.now() - t0,
    };
  }
}

/** Only when Run Command was refused on every VM of the proxy: otherwise HAProxy's own view is the better one. */
async function checkFromOutside(
  target: VerifyTarget,
  vms: VmHealth[],
  opts: VerifyOptions,
): Promise<OutsideCheck | undefined> {
  if (vms.length === 0 || vms.some((v) => v.status !== "not-permitted")) return undefined;
  const address = outsideAddress(target);
  if (!address) return undefined;
  return probeOutside(address, outsideProbes(target), opts.outside);
}

/** A zone's name servers, read once per zone for the whole run. */
function zoneNameServers(opts: VerifyOptions): (dns: NonNullable<VerifyTarget["dns"]>) => Promise<string[]> {
  const cache = new Map<string, Promise<string[]>>();
  return (d) => {
    const key = `${d.subscriptionId}/${d.resourceGroup}/${d.zone}`.toLowerCase();
    let found = cache.get(key);
    if (!found) {
      found = opts
        .clientsFor(d.subscriptionId)
        .dns.zones.get(d.resourceGroup, d.zone)
        .then((z) => z.nameServers ?? []);
      cache.set(key, found);
    }
    return found;
  };
}

async function checkDns(
  target: VerifyTarget,
  nameServersOf: (dns: NonNullable<VerifyTarget["dns"]>) => Promise<string[]>,
  opts: VerifyOptions,
): Promise<DnsCheck[]> {
  const d = target.dns;
  if (!d) return [];
  let nameServers: string[];
  try {
    nameServers = await nameServersOf(d);
  } catch (e) {
    const detail = `could not read zone ${d.zone}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`;
    return d.names.map((name) => ({ name, status: "unanswered", addresses: [], detail }));
  }
  const ask = (names: string[]) =>
    checkAaaaRecords({ names, expected: target.ipv6Address, nameServers, locate: opts.locateNameServer });
  // Only a name the name servers answered wrongly can still change as Azure DNS publishes; one they
  // did not answer at all is not asked again.
  const unsettled = (c: DnsCheck) => c.status === "missing" || c.status === "wrong";
  let checks = await ask(d.names);
  const deadline = Date.now() + (opts.dnsSettleMs ?? 0);
  while (checks.some(unsettled) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, opts.dnsRetryMs ?? 5000));
    const again = await ask(checks.filter(unsettled).map((c) => c.name));
    checks = checks.map((c) => again.find((a) => a.name === c.name) ?? c);
  }
  return checks;
}
