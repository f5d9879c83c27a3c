/**
 * The VM's upkeep (src/dataplane/upkeep.ts) with the real tools: needrestart
 * loads our snippet and keeps haproxy.service selected, its restart.d script
 * reloads instead of restarting, apt reads our configuration, and the
 * installed haproxy package's own maintainer scripts reload on upgrade.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { renderCloudInit } from "../../src/dataplane/cloudinit.js";
import { APT_UPGRADES, NEEDRESTART_CONF, NEEDRESTART_RELOAD, UPKEEP_FILES } from "../../src/dataplane/upkeep.js";
import { APT_CONFIG, HAPROXY_PACKAGE, NEEDRESTART, requirements, SHELLCHECK } from "../support/requirements.js";

const work = mkdtempSync(join(tmpdir(), "dataplane-upkeep-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the cloud-init document", () => {
  it("writes each upkeep file byte for byte, with its mode", () => {
    const doc = parseYaml(renderCloudInit()) as {
      write_files: { path: string; permissions: string; content: string }[];
    };
    for (const f of UPKEEP_FILES) {
      expect(doc.write_files.find((w) => w.path === f.path)).toMatchObject({
        permissions: f.permissions,
        content: f.content,
      });
    }
  });
});

/**
 * needrestart's own needrestart.conf, reading conf.d snippets from `dir`
 * instead of /etc/needrestart/conf.d, so the test sees only the snippet it puts there.
 */
function needrestartConfig(dir: string): string {
  const shipped = readFileSync("/etc/needrestart/needrestart.conf", "utf8");
  expect(shipped).toContain("/etc/needrestart/conf.d");
  const file = join(dir, "needrestart.conf");
  writeFileSync(file, shipped.replaceAll("/etc/needrestart/conf.d", join(dir, "conf.d")));
  mkdirSync(join(dir, "conf.d"));
  return file;
}

describe("needrestart, the real one", await requirements("needrestart", NEEDRESTART), () => {
  function run(snippet: string): { status: number | null; output: string; dir: string } {
    const dir = mkdtempSync(join(work, "needrestart-"));
    const config = needrestartConfig(dir);
    writeFileSync(join(dir, "conf.d", "60-ipv6-proxy.conf"), snippet);
    // -b batch, -r l list only: nothing is restarted; -v prints each snippet it evaluates.
    const r = spawnSync(NEEDRESTART.path(), ["-c", config, "-v", "-r", "l", "-b"], { encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}`, dir };
  }

  it("loads our snippet", () => {
    const r = run(NEEDRESTART_CONF.content);
    expect(r.output).toContain(`eval ${join(r.dir, "conf.d", "60-ipv6-proxy.conf")}`);
    expect(r.output).not.toMatch(/Error parsing/);
    expect(r.status).toBe(0);
  });

  it("negative control: a snippet with a Perl error stops it", () => {
    const r = run(NEEDRESTART_CONF.content.replace("} = 1;", "} = ;"));
    expect(r.output).toMatch(/Error parsing .*60-ipv6-proxy\.conf/);
    expect(r.status).not.toBe(0);
  });

  it("keeps haproxy.service selected, ahead of every override the shipped configuration has", () => {
    const dir = mkdtempSync(join(work, "select-"));
    const config = needrestartConfig(dir);
    const decide = (snippet: string | undefined, unit: string): string => {
      if (snippet !== undefined) writeFileSync(join(dir, "conf.d", "60-ipv6-proxy.conf"), snippet);
      else rmSync(join(dir, "conf.d", "60-ipv6-proxy.conf"), { force: true });
      // The configuration evaluated as needrestart does (a Perl file filling %nrconf), then its
      // selection rule: the first override_rc regex, in sorted order, that matches the unit decides.
      const perl = `our %nrconf; our $LOGPREF = ""; do $ARGV[0]; die $@ if $@;
        my $restart = !$nrconf{defno};
        foreach my $re (sort keys %{$nrconf{override_rc}}) { next unless $ARGV[1] =~ /$re/; $restart = $nrconf{override_rc}->{$re}; last; }
        print $restart ? "restart" : "defer";`;
      const r = spawnSync("perl", ["-e", perl, config, unit], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      return r.stdout;
    };
    expect(decide(NEEDRESTART_CONF.content, "haproxy.service")).toBe("restart");
    // What the snippet guards against: an override that would defer HAProxy.
    expect(decide("$nrconf{override_rc}->{qr(^haproxy)} = 0;\n", "haproxy.service")).toBe("defer");
    // The shipped defaults still apply to other units.
    expect(decide(NEEDRESTART_CONF.content, "dbus.service")).toBe("defer");
  });
});

describe(
  "the restart.d script needrestart runs for haproxy.service",
  await requirements("shellcheck", SHELLCHECK),
  () => {
    const script = join(work, "haproxy.service");
    writeFileSync(script, NEEDRESTART_RELOAD.content);
    chmodSync(script, 0o755);

    it("is named after the unit and executable, as needrestart requires", () => {
      expect(NEEDRESTART_RELOAD.path).toBe("/etc/needrestart/restart.d/haproxy.service");
      expect(NEEDRESTART_RELOAD.permissions).toBe("0755");
    });

    it("is shellcheck-clean", () => {
      const r = spawnSync(SHELLCHECK.path(), [script], { encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).toBe("");
      expect(r.status).toBe(0);
    });

    it("reloads HAProxy and never restarts it", () => {
      const bin = mkdtempSync(join(work, "bin-"));
      const calls = join(bin, "calls");
      writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "$@" >> ${calls}\n`);
      chmodSync(join(bin, "systemctl"), 0o755);
      const r = spawnSync(script, [], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` } });
      expect(r.status).toBe(0);
      expect(readFileSync(calls, "utf8")).toBe("reload haproxy.service\n");
    });
  },
);

describe("apt's unattended upgrades configuration", await requirements("apt", APT_CONFIG), () => {
  it("parses with apt, upgrades daily, keeps our haproxy.cfg and never reboots", () => {
    const dump = (content: string): string[] => {
      const file = join(work, `apt-${Math.random().toString(36).slice(2)}.conf`);
      writeFileSync(file, content);
      const r = spawnSync(APT_CONFIG.path(), ["-c", file, "dump"], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      return r.stdout.split("\n");
    };
    // What our file adds to the machine's own configuration, in apt's own words.
    const base = new Set(dump("// nothing\n"));
    const added = dump(APT_UPGRADES.content).filter((l) => !base.has(l));
    expect(added).toEqual(
      expect.arrayContaining([
        'APT::Periodic::Update-Package-Lists "1";',
        'APT::Periodic::Unattended-Upgrade "1";',
        'Unattended-Upgrade::Automatic-Reboot "false";',
      ]),
    );
    expect(added.filter((l) => /^DPkg::Options:: /i.test(l))).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"--force-confdef"'),
        expect.stringContaining('"--force-confold"'),
      ]),
    );
  });
});

describe("the haproxy package's own upgrade", await requirements("haproxy package", HAPROXY_PACKAGE), () => {
  const script = (name: string) => readFileSync(`/var/lib/dpkg/info/haproxy.${name}`, "utf8");

  it("reloads the running HAProxy in postinst and never restarts it on an upgrade from a current version", () => {
    const postinst = script("postinst");
    expect(postinst).toMatch(/invoke-rc\.d haproxy reload/);
    // The only restart is for upgrades from before 1.8, when the systemd wrapper went away.
    const restarts = postinst.split("\n").filter((l) => /restart/.test(l) && !l.trim().startsWith("#"));
    expect(restarts).toEqual([expect.stringContaining("invoke-rc.d haproxy restart")]);
    expect(postinst).toMatch(/lt "1\.8\.0-1~"[\s\S]*invoke-rc\.d haproxy restart/);
    // systemd's start is a no-op for a running service.
    expect(postinst).not.toMatch(/deb-systemd-invoke (re)?start-or-restart|deb-systemd-invoke restart/);
  });

  it("stops HAProxy in prerm only when the package is removed, not on an upgrade", () => {
    const stops = script("prerm")
      .split("\n")
      .filter((l) => /stop/.test(l) && !l.trim().startsWith("#"));
    expect(stops.length).toBeGreaterThan(0);
    const prerm = script("prerm");
    for (const block of prerm.split("# Automatically added by").slice(1)) {
      if (/\bstop\b/.test(block)) expect(block).toMatch(/"\$1" = remove/);
    }
  });
});
