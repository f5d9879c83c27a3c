/**
 * Virtual machines through the real @azure/arm-compute v25 client: creation
 * through the poller, customData never readable, userData only on request and
 * changeable, the creation-time rules, delete options, and Run Command.
 */

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { judgeServing, parseRunCommandMessage, servingCheckScript } from "../../src/dataplane/serving.js";
import { APPLY_SCRIPT_PATH } from "../../src/dataplane/vmscripts.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import {
  b64,
  clientsFor,
  createDualStackNetwork,
  failure,
  type Network,
  sshPublicKey,
  sshRsaPublicKey,
  vmModel,
} from "../support/emulator-fixtures.js";

let emu: Emulator;
let c: AzureClients;
let net: Network;
const CLOUD_INIT = b64("#cloud-config\npackages: [haproxy]\n");

beforeAll(async () => {
  emu = await startEmulator();
  c = clientsFor(emu);
  net = await createDualStackNetwork(c, "rg-vm", "px");
  emu.resetRequests();
  await c.compute.virtualMachines.createOrUpdate(
    "rg-vm",
    "px-vm",
    vmModel(net.nicId, { customData: CLOUD_INIT, userData: b64("config v1") }),
  );
});
afterAll(() => emu.close());

describe("creating a VM", () => {
  it("goes through the long-running operation: 201 Creating, one status poll, the final GET", () => {
    const arm = emu.requests
      .filter((r) => r.kind === "arm")
      .map((r) => `${r.method} ${r.status} ${r.path.split("/").slice(-2).join("/")}`);
    expect(arm[0]).toBe("PUT 201 virtualMachines/px-vm");
    expect(arm[1]).toMatch(/^GET 200 operations\//);
    expect(arm[2]).toBe("GET 200 virtualMachines/px-vm");
    expect(arm).toHaveLength(3);
  });

  it("reads back Succeeded, attached to its NIC, with an OS disk", async () => {
    const vm = await c.compute.virtualMachines.get("rg-vm", "px-vm");
    expect(vm.provisioningState).toBe("Succeeded");
    expect(vm.vmId).toMatch(/^[0-9a-f-]{36}$/);
    expect(vm.networkProfile?.networkInterfaces?.[0]?.id).toBe(net.nicId);
    const nic = await c.network.networkInterfaces.get("rg-vm", "px-nic");
    expect(nic.virtualMachine?.id?.toLowerCase()).toBe(vm.id!.toLowerCase());
    const disk = await c.compute.disks.get("rg-vm", vm.storageProfile!.osDisk!.name!);
    expect(disk).toMatchObject({ diskState: "Attached", managedBy: vm.id });
  });
});

describe("customData and userData", () => {
  it("never returns customData; returns userData only with $expand=userData and never in lists", async () => {
    const plain = await c.compute.virtualMachines.get("rg-vm", "px-vm");
    expect(plain.osProfile?.customData).toBeUndefined();
    expect(plain.userData).toBeUndefined();
    const expanded = await c.compute.virtualMachines.get("rg-vm", "px-vm", { expand: "userData" });
    expect(expanded.osProfile?.customData).toBeUndefined();
    expect(expanded.userData).toBe(b64("config v1"));
    const listed: unknown[] = [];
    for await (const vm of c.compute.virtualMachines.list("rg-vm")) listed.push(vm);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(b64("config v1"));
    expect(emu.getResource(plain.id!)!.properties.osProfile.customData).toBe(CLOUD_INIT); // kept, just not shown
  });

  it("lets userData change in place with PATCH", async () => {
    const updated = await c.compute.virtualMachines.update("rg-vm", "px-vm", {
      userData: b64("config v2"),
      tags: { config: "v2" },
    });
    expect(updated.provisioningState).toBe("Succeeded");
    const vm = await c.compute.virtualMachines.get("rg-vm", "px-vm", { expand: "userData" });
    expect(vm.userData).toBe(b64("config v2"));
    expect(vm.tags).toEqual({ config: "v2" });
  });

  it("accepts a read-modify-write PUT that leaves customData out, and keeps it", async () => {
    const vm = await c.compute.virtualMachines.get("rg-vm", "px-vm");
    await c.compute.virtualMachines.createOrUpdate("rg-vm", "px-vm", { ...vm, tags: { rewritten: "yes" } });
    expect(emu.getResource(vm.id!)!.properties.osProfile.customData).toBe(CLOUD_INIT);
    expect((await c.compute.virtualMachines.get("rg-vm", "px-vm", { expand: "userData" })).userData).toBe(
      b64("config v2"),
    );
  });

  it("refuses a changed customData, on PUT and on PATCH (409 PropertyChangeNotAllowed)", async () => {
    const vm = await c.compute.virtualMachines.get("rg-vm", "px-vm");
    const put = await failure(
      c.compute.virtualMachines.createOrUpdate("rg-vm", "px-vm", {
        ...vm,
        osProfile: { ...vm.osProfile, customData: b64("#cloud-config\nother\n") },
      }),
    );
    expect(put).toMatchObject({ statusCode: 409, code: "PropertyChangeNotAllowed" });
    expect(put.message).toContain("customData");
    const patch = await failure(
      c.compute.virtualMachines.update("rg-vm", "px-vm", { osProfile: { customData: b64("x") } }),
    );
    expect(patch).toMatchObject({ statusCode: 409, code: "PropertyChangeNotAllowed" });
    const keys = await failure(
      c.compute.virtualMachines.createOrUpdate("rg-vm", "px-vm", vmModel(net.nicId, { customData: CLOUD_INIT })),
    );
    expect(keys.message).toContain("linuxConfiguration.ssh.publicKeys"); // a fresh key is a change too
  });

  it.each([
    ["adminUsername", { adminUsername: "someoneelse" }],
    ["computerName", { computerName: "other-name" }],
  ])("refuses a changed %s, on PUT and on PATCH (409 PropertyChangeNotAllowed)", async (property, change) => {
    const vm = await c.compute.virtualMachines.get("rg-vm", "px-vm");
    const put = await failure(
      c.compute.virtualMachines.createOrUpdate("rg-vm", "px-vm", { ...vm, osProfile: { ...vm.osProfile, ...change } }),
    );
    expect(put).toMatchObject({ statusCode: 409, code: "PropertyChangeNotAllowed" });
    expect(put.message).toContain(property);
    const patch = await failure(c.compute.virtualMachines.update("rg-vm", "px-vm", { osProfile: change }));
    expect(patch).toMatchObject({ statusCode: 409, code: "PropertyChangeNotAllowed" });
  });

  it("checks base64 and the 64 KB userData limit", async () => {
    expect((await failure(c.compute.virtualMachines.update("rg-vm", "px-vm", { userData: "not base64!" }))).code).toBe(
      "InvalidParameter",
    );
    const big = b64("x".repeat(49_200)); // 65,600 base64 characters
    expect(big.length).toBeGreaterThan(64 * 1024);
    const tooBig = await failure(c.compute.virtualMachines.update("rg-vm", "px-vm", { userData: big }));
    expect(tooBig).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
    const justFits = b64("x".repeat(49_000));
    expect((await c.compute.virtualMachines.update("rg-vm", "px-vm", { userData: justFits })).provisioningState).toBe(
      "Succeeded",
    );
  });
});

describe("the rules of VM creation", () => {
  const create = (name: string, model: object) =>
    c.compute.virtualMachines.createOrUpdate("rg-vm", name, model as never);

  it("needs an SSH key (or a password) in the right place for a Linux VM", async () => {
    const base = vmModel(net.nicId);
    const noKey = {
      ...base,
      osProfile: {
        ...base.osProfile,
        linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [] } },
      },
    };
    expect((await failure(create("vm-nokey", noKey))).message).toMatch(
      /Authentication using either SSH or by user name and password/,
    );
    const wrongPath = {
      ...base,
      osProfile: {
        ...base.osProfile,
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: "/root/.ssh/authorized_keys", keyData: sshPublicKey() }] },
        },
      },
    };
    expect((await failure(create("vm-path", wrongPath))).message).toMatch(/Destination path for SSH public keys/);
    const withKey = (keyData: string) => ({
      ...base,
      osProfile: {
        ...base.osProfile,
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData }] },
        },
      },
    });
    for (const keyData of [
      "not a key",
      sshRsaPublicKey(1024),
      "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= x",
      `ssh-ed25519 ${Buffer.from("short").toString("base64")}`,
    ]) {
      expect((await failure(create("vm-badkey", withKey(keyData)))).message).toMatch(/keyData is invalid/);
    }
    const rsa = await failure(
      create("vm-rsa", { ...withKey(sshRsaPublicKey(2048)), networkProfile: { networkInterfaces: [] } }),
    );
    expect(rsa.message).toMatch(/networkProfile/); // the 2048-bit key passed; the missing NIC is what stops it
  });

  it("needs an image, an existing NIC, and a NIC no other VM uses", async () => {
    const base = vmModel(net.nicId);
    const noImage = { ...base, storageProfile: { osDisk: base.storageProfile?.osDisk } };
    expect((await failure(create("vm-noimage", noImage))).message).toMatch(/imageReference/);
    const ghost = vmModel(`${net.nicId.replace("px-nic", "ghost-nic")}`);
    expect((await failure(create("vm-ghost", ghost))).code).toBe("InvalidResourceReference");
    expect((await failure(create("vm-second", vmModel(net.nicId)))).code).toBe("NicInUse");
    expect((await failure(create("vm-b64", vmModel(net.nicId, { customData: "%%%" })))).message).toMatch(/Base64/);
  });

  it("keeps the NIC from being deleted while the VM uses it", async () => {
    expect((await failure(c.network.networkInterfaces.delete("rg-vm", "px-nic"))).code).toBe("NicInUse");
  });
});

describe("deleting a VM", () => {
  it("takes the NIC and OS disk along with deleteOption Delete, and leaves them with Detach", async () => {
    const kept = await createDualStackNetwork(c, "rg-vmdel", "keep");
    const model = vmModel(kept.nicId, { deleteWithVm: false });
    model.storageProfile!.osDisk!.name = "keep-osdisk";
    await c.compute.virtualMachines.createOrUpdate("rg-vmdel", "keep-vm", model);
    await c.compute.virtualMachines.delete("rg-vmdel", "keep-vm", { forceDeletion: false });
    expect((await c.network.networkInterfaces.get("rg-vmdel", "keep-nic")).virtualMachine).toBeUndefined();
    expect((await c.compute.disks.get("rg-vmdel", "keep-osdisk")).diskState).toBe("Unattached");
    // The NIC left behind stays reserved for the deleted VM: neither deleted nor attached meanwhile.
    const reserved = { statusCode: 400, code: "NicReservedForAnotherVm" };
    expect(await failure(c.network.networkInterfaces.delete("rg-vmdel", "keep-nic"))).toMatchObject(reserved);
    expect(await failure(c.compute.virtualMachines.createOrUpdate("rg-vmdel", "keep-vm", model))).toMatchObject(
      reserved,
    );
    // Once Azure releases it, a detached disk of that name still blocks creating the VM again, as in Azure.
    emu.releaseNicReservations();
    const again = await failure(c.compute.virtualMachines.createOrUpdate("rg-vmdel", "keep-vm", model));
    expect(again).toMatchObject({ statusCode: 409, code: "ConflictingUserInput" });
    await c.compute.disks.delete("rg-vmdel", "keep-osdisk");

    const gone = await createDualStackNetwork(c, "rg-vmdel", "gone");
    await c.compute.virtualMachines.createOrUpdate("rg-vmdel", "gone-vm", vmModel(gone.nicId, { deleteWithVm: true }));
    await c.compute.virtualMachines.delete("rg-vmdel", "gone-vm");
    expect(emu.getResource(gone.nicId)).toBeUndefined();
    const disks: string[] = [];
    for await (const d of c.compute.disks.listByResourceGroup("rg-vmdel")) disks.push(d.name!);
    expect(disks).toEqual([]);
    // The public IPs were not the VM's to delete; now free, they can go.
    await c.network.publicIPAddresses.delete("rg-vmdel", "gone-pip6");
  });
});

describe("Run Command", () => {
  it("by default answers like a proxy VM: the serving check passes once cloud-init is done", async () => {
    const userData = (await c.compute.virtualMachines.get("rg-vm", "px-vm", { expand: "userData" })).userData!;
    const sha = createHash("sha256").update(Buffer.from(userData, "base64")).digest("hex");
    const result = await c.compute.virtualMachines.runCommand("rg-vm", "px-vm", {
      commandId: "RunShellScript",
      script: servingCheckScript(sha),
    });
    const message = result.value![0]!.message!;
    expect(message).toContain(`applied config sha256=${sha}`);
    expect(judgeServing(parseRunCommandMessage(message), sha)).toMatchObject({ serving: true });
  });

  it("models cloud-init still running after the VM PUT succeeded: a script that does not wait finds no HAProxy", async () => {
    const other = await createDualStackNetwork(c, "rg-vm-boot", "boot");
    emu.setCloudInitMs(10 * 60_000);
    try {
      await c.compute.virtualMachines.createOrUpdate("rg-vm-boot", "boot-vm", vmModel(other.nicId));
    } finally {
      emu.setCloudInitMs(100);
    }
    const early = await c.compute.virtualMachines.runCommand("rg-vm-boot", "boot-vm", {
      commandId: "RunShellScript",
      script: [`${APPLY_SCRIPT_PATH} --expect-sha256 ${"a".repeat(64)}`],
    });
    expect(early.value![0]!.message).toMatch(
      /^Enable succeeded: \n\[stdout\]\n\n\[stderr\]\n.*haproxy: command not found/s,
    );
  });

  it("models a failed first boot: the serving check reports cloud-init's error", async () => {
    const other = await createDualStackNetwork(c, "rg-vm-fail", "fail");
    emu.failFirstBoot(/^fail-vm$/, "E: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/pool/main/h/haproxy");
    await c.compute.virtualMachines.createOrUpdate("rg-vm-fail", "fail-vm", vmModel(other.nicId));
    const result = await c.compute.virtualMachines.runCommand("rg-vm-fail", "fail-vm", {
      commandId: "RunShellScript",
      script: servingCheckScript("b".repeat(64)),
    });
    const status = result.value![0]!;
    expect(status.code).toBe("ProvisioningState/succeeded"); // RunCommandLinux reports no failure
    const verdict = judgeServing(parseRunCommandMessage(status.message!), "b".repeat(64));
    expect(verdict).toMatchObject({ serving: false, reason: "first-boot-failed" });
    expect(!verdict.serving && verdict.message).toContain("Failed to fetch");
  });

  it("returns the handler's output through the SDK, and passes it the script", async () => {
    emu.onRunCommand(async (vmId, script) => ({
      exitCode: 0,
      stdout: `applied ${script.length} lines on ${vmId.split("/").pop()}\n`,
      stderr: "note\n",
    }));
    const result = await c.compute.virtualMachines.runCommand("rg-vm", "px-vm", {
      commandId: "RunShellScript",
      script: ["set -e", "apply-config"],
    });
    expect(result.value).toEqual([
      expect.objectContaining({
        code: "ProvisioningState/succeeded",
        level: "Info",
        displayStatus: "Provisioning succeeded",
        message: "Enable succeeded: \n[stdout]\napplied 2 lines on px-vm\n\n[stderr]\nnote\n",
      }),
    ]);
    expect(emu.runCommands.at(-1)).toMatchObject({ script: ["set -e", "apply-config"] });
  });

  it("keeps only the last 4096 bytes of each stream, and reports success with no exit status even when the script failed", async () => {
    emu.onRunCommand(async () => ({
      exitCode: 3,
      stdout: `${"a".repeat(5000)}END`,
      stderr: "haproxy: config invalid\n",
    }));
    const result = await c.compute.virtualMachines.runCommand("rg-vm", "px-vm", {
      commandId: "RunShellScript",
      script: ["false"],
    });
    const status = result.value![0]!;
    expect(status.code).toBe("ProvisioningState/succeeded");
    expect(status.message).toMatch(/^Enable succeeded: \n\[stdout\]\na+END\n\[stderr\]\nhaproxy: config invalid\n$/);
    expect(status.message).not.toMatch(/exit status/);
    expect(/\[stdout\]\n(a+END)/.exec(status.message!)![1]!.length).toBe(4096);
  });

  it("runs one command at a time per VM (409 for a concurrent one)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    emu.onRunCommand(async () => {
      started();
      await gate;
      return { exitCode: 0, stdout: "first", stderr: "" };
    });
    const first = c.compute.virtualMachines.runCommand("rg-vm", "px-vm", {
      commandId: "RunShellScript",
      script: ["echo first"],
    });
    await running; // the VM is running the first command now
    const second = await failure(
      c.compute.virtualMachines.runCommand("rg-vm", "px-vm", { commandId: "RunShellScript", script: ["echo"] }),
    );
    expect(second).toMatchObject({ statusCode: 409, code: "Conflict" });
    release();
    expect((await first).value![0]!.message).toContain("first");
    emu.onRunCommand(async () => ({ exitCode: 0, stdout: "ok", stderr: "" }));
    expect(
      (await c.compute.virtualMachines.runCommand("rg-vm", "px-vm", { commandId: "RunShellScript", script: ["echo"] }))
        .value,
    ).toHaveLength(1);
  });

  it("needs an existing VM and a shell script", async () => {
    expect(
      (
        await failure(
          c.compute.virtualMachines.runCommand("rg-vm", "nope", { commandId: "RunShellScript", script: ["true"] }),
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await failure(
          c.compute.virtualMachines.runCommand("rg-vm", "px-vm", { commandId: "RunPowerShellScript", script: ["dir"] }),
        )
      ).code,
    ).toBe("InvalidParameter");
  });
});

it("puts the VM in the same location as its NIC", async () => {
  const far = await failure(
    c.compute.virtualMachines.createOrUpdate("rg-vm", "vm-far", { ...vmModel(net.nicId), location: "eastus" } as never),
  );
  expect(far).toMatchObject({ statusCode: 400, code: "NicLocationMismatch" });
});
