/**
 * The `#cloud-config` document sent as the VM's customData.
 *
 * customData can't be changed after the VM is created, so this document is the
 * same for every proxy and every spec: it installs HAProxy and the apply
 * script, and everything proxy-specific comes from userData through that
 * script, at first boot, at every later boot and on every config change.
 * The files it writes are real files in src/dataplane/vm/ (see vm-files.ts).
 */
import { TOOL_NAME } from "../model/names.js";
import { UPKEEP_FILES } from "./upkeep.js";
import { APPLY_SCRIPT, CONFIG_UNIT, SYSCTL_CONF } from "./vm-files.js";
import { APPLY_SCRIPT_PATH } from "./vmscripts.js";

export const CONFIG_SERVICE = "ipv6-proxy-config.service";

const SYSCTL_PATH = "/etc/sysctl.d/60-ipv6-proxy.conf";

export function renderCloudInit(): string {
  return [
    "#cloud-config",
    `# ${TOOL_NAME}: bootstrap of a proxy VM. The HAProxy config comes from userData.`,
    "ssh_pwauth: false",
    "package_update: true",
    "packages:",
    "  - haproxy",
    "  - unattended-upgrades",
    "  - curl",
    "write_files:",
    ...writeFile(APPLY_SCRIPT_PATH, "0755", APPLY_SCRIPT),
    ...writeFile(`/etc/systemd/system/${CONFIG_SERVICE}`, "0644", CONFIG_UNIT),
    ...writeFile(SYSCTL_PATH, "0644", SYSCTL_CONF),
    // Upgrades reload HAProxy, never restart it (upkeep.ts).
    ...UPKEEP_FILES.flatMap((f) => writeFile(f.path, f.permissions, f.content)),
    "runcmd:",
    `  - [sysctl, -p, ${SYSCTL_PATH}]`,
    "  - [systemctl, daemon-reload]",
    `  - [systemctl, enable, ${CONFIG_SERVICE}]`,
    // First boot: HAProxy was just installed and runs the package's default
    // config, so this run installs the real one and reloads.
    `  - [${APPLY_SCRIPT_PATH}]`,
    "",
  ].join("\n");
}

function writeFile(path: string, permissions: string, content: string): string[] {
  // Limits of a plain `|` block: one final newline, no leading indentation.
  if (!content.endsWith("\n") || content.endsWith("\n\n") || /^\s/.test(content)) {
    throw new Error(`content of ${path} must end with exactly one newline and not start with whitespace`);
  }
  const body = content
    .slice(0, -1)
    .split("\n")
    .map((line) => (line === "" ? "" : `      ${line}`));
  return [
    `  - path: ${path}`,
    "    owner: root:root",
    `    permissions: "${permissions}"`,
    // A literal block keeps the text byte for byte (with its final newline).
    "    content: |",
    ...body,
  ];
}
