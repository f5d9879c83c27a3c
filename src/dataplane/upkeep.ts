/**
 * The VM's own upkeep: daily unattended security upgrades that never restart
 * HAProxy. A restart drops every connection; a reload does not (the master
 * process re-executes itself, loading the new binary and libraries, and hands
 * the listening sockets to new workers while the old ones finish their
 * connections).
 *
 * What could restart HAProxy during an upgrade, and what keeps it from it:
 * - needrestart, which Ubuntu runs after every apt run and which in that case
 *   restarts services automatically ("the default restart mode when running as
 *   part of the APT hook is 'a'", Ubuntu's needrestart.conf) when a library
 *   they map was upgraded (libssl, libc). It runs
 *   /etc/needrestart/restart.d/<unit> instead of `systemctl restart <unit>`
 *   when that file is executable (needrestart's restart_cmd() and
 *   ex/restart.d/README.needrestart, liske/needrestart), so ours reloads. The
 *   conf.d snippet keeps haproxy.service selected: `override_rc … => 0` would
 *   only defer it, leaving HAProxy on the old libraries until some reload.
 * - The haproxy package's own upgrade: its maintainer scripts already reload.
 *   prerm stops the service only on `remove`, and postinst runs
 *   `invoke-rc.d haproxy reload` on upgrade (Debian's haproxy packaging,
 *   `dh_installinit --no-restart-on-upgrade` since 1.5~dev24-2, which Ubuntu
 *   inherits; checked against the installed package's scripts by
 *   test/dataplane/dataplane-upkeep.test.ts). A policy-rc.d would be the lever
 *   if it did not, but it is one file for every package on the machine, and
 *   `RefuseManualStop=yes` in a drop-in would make needrestart skip HAProxy
 *   instead of reloading it (needrestart's systemd_refuse_restart()), so
 *   neither is used.
 * - A reboot: unattended-upgrades never reboots on its own here; kernel
 *   updates take effect at the next reboot (Azure maintenance, or by hand).
 */
import { APT_CONF, NEEDRESTART_RELOAD_SCRIPT, NEEDRESTART_SNIPPET } from "./vm-files.js";

export interface VmFile {
  path: string;
  permissions: string;
  content: string;
}

/** The files are real files in src/dataplane/vm/ (see vm-files.ts); this says where each goes. */
export const APT_UPGRADES: VmFile = {
  path: "/etc/apt/apt.conf.d/52ipv6-proxy-upgrades",
  permissions: "0644",
  content: APT_CONF,
};

/** needrestart matches restart.d files by the unit's full name. */
export const NEEDRESTART_RELOAD: VmFile = {
  path: "/etc/needrestart/restart.d/haproxy.service",
  permissions: "0755",
  content: NEEDRESTART_RELOAD_SCRIPT,
};

/** Evaluated by needrestart (Perl) after its own needrestart.conf. */
export const NEEDRESTART_CONF: VmFile = {
  path: "/etc/needrestart/conf.d/60-ipv6-proxy.conf",
  permissions: "0644",
  content: NEEDRESTART_SNIPPET,
};

export const UPKEEP_FILES: readonly VmFile[] = [APT_UPGRADES, NEEDRESTART_RELOAD, NEEDRESTART_CONF];
