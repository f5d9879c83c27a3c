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
