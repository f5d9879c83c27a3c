/**
 * Replicas: several proxy VMs behind one Standard load balancer. The numbers
 * the proxy file, the HAProxy config and the load balancer must agree on.
 */

/** Most replicas a proxy may have. */
export const MAX_REPLICAS = 10;

/**
 * TCP port of the HTTP health endpoint HAProxy serves on each replica, probed
 * by the load balancer (never reachable from the internet: no rule forwards it
 * and the NSG admits only the AzureLoadBalancer service tag to it). A proxy
 * with replicas cannot forward this port.
 */
export const HEALTH_PORT = 8405;

/** Path of the health endpoint: 200 while the replica takes new connections, 503 while it drains. */
export const HEALTH_PATH = "/healthz";

/**
 * The load balancer's probe: every 5 s (Azure's minimum, loadBalancer.json
 * intervalInSeconds), a replica leaves or joins rotation after 2 probes in a
 * row say so (probeThreshold).
 */
export const PROBE_INTERVAL_SECONDS = 5;
export const PROBE_THRESHOLD = 2;
/** From a replica failing to the load balancer sending it no new flows, at worst. */
export const PROBE_WINDOW_SECONDS = PROBE_INTERVAL_SECONDS * (PROBE_THRESHOLD + 1);

/**
 * SNAT ports of the outbound rule per replica: the frontend IPv4's 64,000
 * ports shared by the replicas, in multiples of 8 (Azure's rule). Fewer
 * replicas get more ports each.
 */
export function outboundPortsPerReplica(replicas: number): number {
  return Math.floor(64000 / Math.max(replicas, 1) / 8) * 8;
}
