/**
 * The Azure emulator: one HTTPS origin serving a subset of Azure Resource
 * Manager (resources, network, compute, DNS) and a minimal Entra ID, for the
 * real Azure SDK clients and credentials. Tests and the CLI's --emulator mode
 * start it in-process; `main.ts` runs it standalone.
 */

import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { armIdKey, parseArmId, RESOURCE_GROUP_TYPE } from "../model/arm-id.js";
import type { RolePermission } from "../model/roles.js";
import type { TokenRequestEntry } from "./auth.js";
import { Entra, type EntraApplication } from "./auth.js";
import { controlApi } from "./control.js";
import { type DnsServer, startDnsServer } from "./dns-server.js";
import type { Fault } from "./faults.js";
import { Faults } from "./faults.js";
import type { RequestLogEntry } from "./front-door.js";
import { createFrontDoor } from "./front-door.js";
import type { Json } from "./http.js";
import { deepCopy, isObject, newGuid, normalizeLocation } from "./http.js";
import { parseResourceId } from "./ids.js";
import { Operations } from "./lro.js";
import { registerAvailabilitySets } from "./providers/availability-sets.js";
import { registerCompute } from "./providers/compute.js";
import { isRunning, registerComputeCapacity } from "./providers/compute-capacity.js";
import { registerDns, seedZone } from "./providers/dns.js";
import { registerNetwork } from "./providers/network.js";
import { ProviderRegistry } from "./providers/provider-registry.js";
import { createGroup, registerResources } from "./providers/resources.js";
import { registerRunCommand } from "./providers/run-command.js";
import { Rbac, registerPermissions } from "./rbac.js";
import { Router } from "./router.js";
import { ComputeCapacity } from "./rules/size-rules.js";
import type { BackendFailure } from "./simulated-haproxy.js";
import { SimulatedVms } from "./simulated-vm.js";
import type { WorkCounters } from "./store.js";
import { Store } from "./store.js";
import { createTlsIdentity } from "./tls.js";
import type { ProbeHandler, RunCommandHandler, World } from "./world.js";
import { apiVersionOf, NicReservations, PublicAddressPool } from "./world.js";

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Status polls answered InProgress before an operation ends (default 0: the first poll is terminal). */
  lroPolls?: number;
  /** Items per list page (default 20). */
  pageSize?: number;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** The default subscription (any subscription id is accepted). */
  subscriptionId?: string;
  /** Delay before every answer. */
  latencyMs?: number;
  /** Accept client assertions only with these subjects (any subject when omitted). */
  federatedSubjects?: string[];
  /** How long cloud-init runs on a new VM after its PUT succeeded (default 100 ms; Azure: a minute or more). */
  cloudInitMs?: number;
  /** How long a deleted VM's NICs stay reserved for it (default 180 s, as in Azure; tests set it short). */
  nicReservationMs?: number;
  /**
   * Where public IPv4 addresses come from (default 198.18.0.0/15). Tests that connect to a
   * proxy's public IPv4 give a loopback prefix such as 127.77.0.0/16 and listen there.
   */
  publicIpv4Prefix?: string;
  /** The audience client assertions must carry (default api://AzureADTokenExchange, the public cloud's). */
  federatedAudience?: string;
}

export type { Fault, ProbeHandler, RequestLogEntry, RunCommandHandler, TokenRequestEntry, WorkCounters };

/** The real token audience: clients keep it even when their endpoint is the emulator. */
export const ARM_SCOPE = "https://management.azure.com/.default";

export class Emulator {
  readonly endpoint: string;
  /** Entra ID authority host: the same origin. */
  readonly authorityHost: string;
  /** PEM of the self-signed certificate to trust. */
  readonly ca: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly subscriptionId: string;
  /** Every ARM and token request, in arrival order (kept in place by resetRequests). */
  readonly requests: RequestLogEntry[];
  /** Run commands received, with their scripts. */
  readonly runCommands: World["runCommands"];
  /**
   * The DNS zones over real DNS (UDP and TCP), as "127.0.0.1:PORT". Every name
   * server a zone names (ns1-01.azure-dns.com. ...) is this one listener.
   */
  readonly dnsAddress: string;
  /** DNS queries answered, for assertions. */
  readonly dnsQueries: DnsServer["queries"];

  /** What GET /providers/{namespace} lists, and the api-versions ARM accepts per resource type. */
  readonly providers = new ProviderRegistry();
  private latency: number;
  private lroPolls: number;
  private readonly bootRules: { cloudInitMs: number; failures: { vmName: RegExp; error: string }[] };
  /** The simulated proxy VMs: Run Command and health probes follow the scripts' contracts (see simulated-vm.ts). */
  readonly vms: SimulatedVms;
  private runCommandHandler: RunCommandHandler;
  private readonly logWaiters = new Set<() => void>();
  private probeHandler: ProbeHandler;

  /** @internal use startEmulator() */
  constructor(
    private readonly server: Server,
    private readonly world: World,
    private readonly faults: Faults,
    private readonly entra: Entra,
    private readonly rbac: Rbac,
    private readonly dns: DnsServer,
    init: {
      endpoint: string;
      ca: string;
      tenantId: string;
      clientId: string;
      clientSecret: string;
      subscriptionId: string;
      latencyMs: number;
      lroPolls: number;
      log: RequestLogEntry[];
      cloudInitMs: number;
    },
  ) {
    this.bootRules = { cloudInitMs: init.cloudInitMs, failures: [] };
    this.endpoint = init.endpoint;
    this.authorityHost = init.endpoint;
    this.ca = init.ca;
    this.tenantId = init.tenantId;
    this.clientId = init.clientId;
    this.clientSecret = init.clientSecret;
    this.subscriptionId = init.subscriptionId;
    this.latency = init.latencyMs;
    this.lroPolls = init.lroPolls;
    this.requests = init.log;
    this.runCommands = world.runCommands;
    this.dnsAddress = dns.address;
    this.dnsQueries = dns.queries;
    this.vms = new SimulatedVms(
      (id) => this.getResource(id),
      (id) => world.vmBoots.get(armIdKey(id)),
    );
    this.runCommandHandler = this.vms.runCommand;
    this.probeHandler = (vmId, probe) => this.vms.probe(vmId, probe);
  }

  /**
   * Registers another app in the emulator's tenant (a second identity, e.g.
   * for plans) and returns its credentials. Give it a role with assignRole.
   */
  addApplication(app: Omit<EntraApplication, "clientId" | "clientSecret"> = {}): {
    clientId: string;
    clientSecret: string;
  } {
    const registered = { clientId: randomUUID(), clientSecret: randomBytes(18).toString("base64url") };
    this.entra.addApplication({ ...app, ...registered });
    return registered;
  }

  /**
   * Assigns a role (its permissions) to a client id at an ARM scope. From its
   * first assignment on, the principal is held to its roles: a request it has
   * no action for answers ARM's 403 AuthorizationFailed.
   */
  assignRole(clientId: string, scope: string, permissions: RolePermission[]): void {
    this.rbac.assign(clientId, scope, permissions);
  }

  /** Token requests, with the grant used and the assertion's subject (to tell OIDC from secrets). */
  get tokenRequests(): TokenRequestEntry[] {
    return this.entra.tokenRequests;
  }

  /** ARM requests that change something (not GET/HEAD); token requests are not counted. */
  writeCount(): number {
    return this.requests.filter((r) => r.kind === "arm" && r.method !== "GET" && r.method !== "HEAD").length;
  }

  /**
   * Resolves once `n` ARM writes have arrived (counted as writeCount counts
   * them): a signal a test can wait for instead of polling the log.
   */
  untilWrites(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.writeCount() < n) return;
        this.logWaiters.delete(check);
        resolve();
      };
      this.logWaiters.add(check);
      check();
    });
  }

  /** @internal the front door logged a request */
  requestLogged(): void {
    for (const waiter of [...this.logWaiters]) waiter();
  }

  /** ARM GET and HEAD requests (status polls included). */
  readCount(): number {
    return this.requests.filter((r) => r.kind === "arm" && (r.method === "GET" || r.method === "HEAD")).length;
  }

  /**
   * The work requests have done so far (stored resources visited and
   * presented, reference indexes built), for tests that check what a request
   * costs by counting rather than timing.
   */
  work(): WorkCounters {
    return { ...this.world.store.work };
  }

  resetRequests(): void {
    this.requests.length = 0;
    this.entra.tokenRequests.length = 0;
    this.runCommands.length = 0;
  }

  setLatencyMs(ms: number): void {
    this.latency = ms;
  }

  /** Status polls answered InProgress before operations end, from now on (see EmulatorOptions.lroPolls). */
  setLroPolls(polls: number): void {
    this.lroPolls = polls;
  }

  addFault(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** How long cloud-init runs on VMs created from now on. */
  setCloudInitMs(ms: number): void {
    this.bootRules.cloudInitMs = ms;
  }

  /** VMs created from now on whose name matches fail their first boot with this cloud-init error. */
  failFirstBoot(vmName: RegExp, error: string): void {
    this.bootRules.failures.push({ vmName, error });
  }

  /** @internal the first boot of a VM being created */
  firstBootOf(vmId: string): { cloudInitMs: number; error?: string } {
    const name = vmId.split("/").pop() ?? "";
    const failure = this.bootRules.failures.find((f) => f.vmName.test(name));
    return { cloudInitMs: this.bootRules.cloudInitMs, ...(failure ? { error: failure.error } : {}) };
  }

  /**
   * How every simulated proxy VM's HAProxy sees backend `address` (on `port`,
   * or every port): its health checks fail (refused or timed out) or pass.
   */
  setBackendHealth(
    address: string,
    state: "up" | "down",
    opts: { port?: number; failure?: BackendFailure } = {},
  ): void {
    this.vms.backendHealth.set(opts.port ? `${address}:${opts.port}` : address, {
      up: state === "up",
      ...(opts.failure ? { failure: opts.failure } : {}),
      ...(opts.port ? { port: opts.port } : {}),
    });
  }

  /** Whether backend `address` passes the simulated HAProxy's checks on `port` (what setBackendHealth set). */
  backendUp(address: string, port: number): boolean {
    return (this.vms.backendHealth.get(`${address}:${port}`) ?? this.vms.backendHealth.get(address))?.up ?? true;
  }

  /** Stops (or starts again) HAProxy on a simulated VM, by ARM id. */
  setHaproxyRunning(vmId: string, running: boolean): void {
    if (running) this.vms.stoppedHaproxy.delete(vmId.toLowerCase());
    else this.vms.stoppedHaproxy.add(vmId.toLowerCase());
  }

  /** Every backend UP and every HAProxy running again. */
  resetVmHealth(): void {
    this.vms.backendHealth.clear();
    this.vms.stoppedHaproxy.clear();
  }

  /** Makes a size unavailable to this subscription in a region (a `Location` restriction on its resource SKU). */
  restrictSize(location: string, size: string, reasonCode = "NotAvailableForSubscription"): void {
    this.world.capacity.restrictions.set(`${location}/${size}`.toLowerCase(), reasonCode);
  }

  /** Makes a size unavailable to this subscription in some zones of a region (a `Zone` restriction on its resource SKU). */
  restrictSizeInZones(location: string, size: string, zones: string[]): void {
    this.world.capacity.zoneRestrictions.set(`${location}/${size}`.toLowerCase(), zones);
  }

  /** Sets a vCPU quota of a region: `cores` (all families) or a family such as `standardBasv2Family`. */
  setQuota(location: string, quota: string, limit: number): void {
    this.world.capacity.limits.set(`${location}/${quota}`.toLowerCase(), limit);
  }

  /** The sizes a running VM whose name matches can be resized to in place (its hardware cluster). */
  setHardwareCluster(vmName: RegExp, sizes: string[]): void {
    this.world.capacity.clusters.unshift({ vmName, sizes });
  }

  /** `running` or `deallocated`. */
  powerState(vmId: string): "running" | "deallocated" {
    return isRunning(this.world, vmId) ? "running" : "deallocated";
  }

  /** Replaces what a VM does when Run Command reaches it. */
  onRunCommand(handler: RunCommandHandler): void {
    this.runCommandHandler = handler;
  }

  /** Replaces what a VM answers to a load balancer's health probe. */
  onProbe(handler: ProbeHandler): void {
    this.probeHandler = handler;
  }

  /** Creates a resource group (no-op when it exists). */
  seedResourceGroup(
    subscriptionId: string,
    resourceGroup: string,
    location = "westeurope",
    tags?: Record<string, string>,
  ): void {
    if (!this.world.store.getGroup(subscriptionId, resourceGroup))
      createGroup(this.world, subscriptionId, resourceGroup, location, tags);
  }

  /** Creates a public DNS zone (and its resource group if needed); zones cannot be created through the API. */
  seedDnsZone(
    subscriptionId: string,
    resourceGroup: string,
    zone: string,
    opts: { tags?: Record<string, string>; location?: string } = {},
  ): Json {
    this.seedResourceGroup(subscriptionId, resourceGroup, opts.location);
    return seedZone(this.world, subscriptionId, resourceGroup, zone, opts.tags);
  }

  /**
   * Plants a resource as-is (a look-alike or someone else's resource), creating
   * its resource group if needed. id, name and type come from the id; location
   * defaults to westeurope and provisioningState to Succeeded.
   */
  seedResource(id: string, body: Json = {}): Json {
    const parsed = parseResourceId(id);
    this.seedResourceGroup(parsed.subscriptionId, parsed.resourceGroup);
    const properties = isObject(body.properties) ? body.properties : {};
    const stored = {
      ...deepCopy(body),
      id,
      name: parsed.name,
      type: parsed.type,
      location: normalizeLocation(String(body.location ?? "westeurope")),
      etag: body.etag ?? `W/"${newGuid()}"`,
      properties: { provisioningState: "Succeeded", ...deepCopy(properties) },
    };
    this.world.store.put(id, stored);
    return deepCopy(stored);
  }

  /** The stored resource or resource group, hidden fields (customData, userData) included. */
  getResource(id: string): Json | undefined {
    const parsed = parseArmId(id);
    if (parsed?.type === RESOURCE_GROUP_TYPE)
      return deepCopy(this.world.store.getGroup(parsed.subscriptionId, parsed.resourceGroup));
    return this.world.store.snapshot(id);
  }

  /** Frees every NIC reserved for a deleted VM, as Azure does once the reservation (180 s) is over. */
  releaseNicReservations(): void {
    this.world.nicReservations.releaseAll();
  }

  /** Ends every unfinished long-running operation, as Azure would in time even if nobody polls. */
  async settle(): Promise<void> {
    await this.world.ops.settleAll();
  }

  async close(): Promise<void> {
    await this.dns.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  /** @internal */
  currentLatency(): number {
    return this.latency;
  }

  /** @internal */
  currentRunCommandHandler(): RunCommandHandler {
    return this.runCommandHandler;
  }

  /** @internal */
  currentLroPolls(): number {
    return this.lroPolls;
  }

  /** @internal */
  currentProbeHandler(): ProbeHandler {
    return this.probeHandler;
  }
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const tls = await createTlsIdentity();
  const tenantId = opts.tenantId ?? randomUUID();
  const clientId = opts.clientId ?? randomUUID();
  const clientSecret = opts.clientSecret ?? randomBytes(18).toString("base64url");
  const entra = new Entra({
    tenantId,
    clientId,
    clientSecret,
    ...(opts.federatedSubjects ? { federatedSubjects: opts.federatedSubjects } : {}),
    ...(opts.federatedAudience ? { federatedAudience: opts.federatedAudience } : {}),
  });
  const faults = new Faults();
  const rbac = new Rbac();
  const log: RequestLogEntry[] = [];
  let emulator: Emulator | undefined;
  let origin = "";

  const world: World = {
    store: new Store(),
    ops: new Operations(() => emulator?.currentLroPolls() ?? opts.lroPolls ?? 0),
    pageSize: () => opts.pageSize ?? 20,
    runCommandHandler: () => emulator!.currentRunCommandHandler(),
    runCommands: [],
    publicAddresses: new PublicAddressPool(opts.publicIpv4Prefix),
    vmBoots: new Map(),
    firstBoot: (vmId) => emulator!.firstBootOf(vmId),
    probe: (vmId, probe) => emulator!.currentProbeHandler()(vmId, probe),
    nicReservations: new NicReservations(() => opts.nicReservationMs ?? 180_000),
    capacity: new ComputeCapacity(),
  };
  const router = new Router();
  registerResources(router, world);
  registerNetwork(router, world);
  registerCompute(router, world);
  registerComputeCapacity(router, world);
  registerAvailabilitySets(router, world);
  registerRunCommand(router, world);
  registerDns(router, world);
  router.add("GET", "/subscriptions/{sub}/providers/{ns}", (req) =>
    emulator!.providers.provider(req.params.sub!, req.params.ns!),
  );
  registerPermissions(
    router,
    rbac,
    (sub, rg) => world.store.getGroup(sub, rg) !== undefined,
    (id) => world.store.get(id) !== undefined,
  );
  router.add("GET", "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operations/{id}", (req) =>
    // `monitor=true` marks the Location form of the URL (see Operations.start): it answers like operationResults.
    req.url.searchParams.get("monitor") === "true"
      ? world.ops.result(req.params.id!, `${req.origin}${req.url.pathname}${req.url.search}`)
      : world.ops.status(req.params.id!),
  );
  router.add("GET", "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationResults/{id}", (req) =>
    world.ops.result(req.params.id!, `${req.origin}${req.url.pathname}?api-version=${apiVersionOf(req)}`),
  );

  const server = createFrontDoor(tls, {
    router,
    entra,
    rbac,
    faults,
    log,
    onLogged: () => emulator?.requestLogged(),
    latencyMs: () => emulator?.currentLatency() ?? 0,
    control: (req) => controlApi(emulator!, req),
    origin: () => origin,
    providers: () => emulator?.providers,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dns = await startDnsServer(world.store);
  emulator = new Emulator(server, world, faults, entra, rbac, dns, {
    endpoint: origin,
    ca: tls.cert,
    tenantId,
    clientId,
    clientSecret,
    subscriptionId: opts.subscriptionId ?? randomUUID(),
    latencyMs: opts.latencyMs ?? 0,
    lroPolls: opts.lroPolls ?? 0,
    log,
    cloudInitMs: opts.cloudInitMs ?? 100,
  });
  return emulator;
}
