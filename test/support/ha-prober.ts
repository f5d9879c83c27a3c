/**
 * The load balancer's control plane, run inside the load-balancer namespace:
 *
 *   node --import tsx ha-prober.ts '<config json>'
 *
 * It does what Azure's Standard load balancer does with a health probe
 * (learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview):
 * every `intervalMs` it sends each replica an HTTP GET of the probe path; after
 * `threshold` consecutive failures a replica leaves rotation, after `threshold`
 * consecutive successes it joins (a new replica starts out of rotation). The
 * data plane is nftables: a DNAT rule spreads new flows over the replicas in
 * rotation by a hash of the client's address and port, and keeps the client's
 * source address. Flows already established keep their conntrack entry, so a
 * replica that leaves rotation keeps serving them, as Azure's does ("TCP
 * connections stay alive on an instance probe down", load-balancer/skus).
 * With no replica in rotation new flows are dropped (AllProbedDown).
 *
 * Rounds of probes are numbered from 1. Every change is printed as
 * `STATE <name> <up|down> <epoch ms> round=<n>` (the round that decided it)
 * followed by `POOL <names…>`; "READY" once the rules are in place. On SIGUSR2
 * it prints `MARK <k> round=<n>`, k counting the marks, n the next round to
 * start: every probe of round n or later is sent after the signal arrived, so a
 * test can count the rounds the load balancer took to act on what it did.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";

export interface ProberConfig {
  vip: string;
  ports: number[];
  targets: { name: string; address: string }[];
  probePort: number;
  probePath: string;
  intervalMs: number;
  threshold: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as ProberConfig;

interface TargetState {
  name: string;
  address: string;
  up: boolean;
  streak: number;
}

const targets: TargetState[] = config.targets.map((t) => ({ ...t, up: false, streak: 0 }));

function ruleFor(inRotation: TargetState[]): string {
  const match = `ip6 daddr ${config.vip} tcp dport { ${config.ports.join(", ")} }`;
  if (inRotation.length === 0) return `${match} drop`;
  if (inRotation.length === 1) return `${match} dnat to ${inRotation[0]!.address}`;
  const map = inRotation.map((t, i) => `${i} : ${t.address}`).join(", ");
  return `${match} dnat to jhash ip6 saddr . tcp sport mod ${inRotation.length} seed 0x5a map { ${map} }`;
}

function program(): void {
  const inRotation = targets.filter((t) => t.up);
  const script = [
    "add table ip6 azlb",
    "add chain ip6 azlb prerouting { type nat hook prerouting priority dstnat; policy accept; }",
    "flush chain ip6 azlb prerouting",
    `add rule ip6 azlb prerouting ${ruleFor(inRotation)}`,
  ].join("\n");
  execFileSync("nft", ["-f", "-"], { input: `${script}\n` });
  process.stdout.write(`POOL ${inRotation.map((t) => t.name).join(" ")}\n`);
}

function probe(t: TargetState): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: t.address, port: config.probePort, path: config.probePath, timeout: config.intervalMs, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(false));
  });
}

let rounds = 0;
let marks = 0;
process.on("SIGUSR2", () => {
  marks++;
  process.stdout.write(`MARK ${marks} round=${rounds + 1}\n`);
});

async function round(): Promise<void> {
  rounds++;
  const results = await Promise.all(targets.map(probe));
  const changed: TargetState[] = [];
  targets.forEach((t, i) => {
    const ok = results[i]!;
    t.streak = ok === t.up ? 0 : t.streak + 1;
    if (t.streak >= config.threshold) {
      t.up = ok;
      t.streak = 0;
      changed.push(t);
    }
  });
  if (changed.length === 0) return;
  // The state is reported once the data plane acts on it.
  program();
  for (const t of changed)
    process.stdout.write(`STATE ${t.name} ${t.up ? "up" : "down"} ${Date.now()} round=${rounds}\n`);
}

program();
process.stdout.write("READY\n");
for (;;) {
  const started = Date.now();
  await round();
  await new Promise((r) => setTimeout(r, Math.max(0, config.intervalMs - (Date.now() - started))));
}
