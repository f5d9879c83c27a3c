/**
 * One repository's world for end-to-end runs of the action: the Azure
 * emulator, the GitHub double, a workspace with a proxies/ directory, and
 * helpers that play GitHub's part (open a pull request, push to it, merge it)
 * and run the action for each event: as the runner does (`node dist/index.js`)
 * or in this process through run() (fast; see action-inprocess.ts).
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AzureClients, createAzureClients } from "../../src/azure/clients.js";
import { emulatorConnection } from "../../src/azure/emulator-connection.js";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/server.js";
import { resourceNames } from "../../src/model/names.js";
import type { RolePermission } from "../../src/model/roles.js";
import { runInProcess } from "./action-inprocess.js";
import {
  type ActionRunOptions,
  type ActionRunResult,
  ensureDistBuilt,
  fakeSha,
  pullRequestEvent,
  pushEvent,
  runAction,
} from "./action-runner.js";
import { type GitHubDouble, startGitHubDouble } from "./github-double.js";
import { ProxyDir } from "./proxy-files.js";

export const REPOSITORY = "acme/web";
export const PR_SUBJECT = `repo:${REPOSITORY}:pull_request`;
export const MAIN_SUBJECT = `repo:${REPOSITORY}:ref:refs/heads/main`;
/** The apply job's environment in examples/ipv6-proxy.yml, and the OIDC subject GitHub gives a job in it. */
export const ENVIRONMENT = "ipv6-proxy";
export const ENVIRONMENT_SUBJECT = `repo:${REPOSITORY}:environment:${ENVIRONMENT}`;

/** An app registration in the emulator's tenant (client id and a secret for tests that look from outside). */
export interface Identity {
  clientId: string;
  clientSecret: string;
}

/** How the action is started: the committed bundle in a child process, or run() in this process. */
export type ActionRunner = "dist" | "in-process";

export interface RunExtras {
  /** This run only: start the action another way than the world's runner. */
  runner?: ActionRunner;
  inputs?: Record<string, string> | undefined;
  env?: Record<string, string | undefined>;
}

export class ActionWorld {
  readonly files = new ProxyDir();
  private readonly caFile = join(this.files.root, "emulator-ca.pem");
  private heads = new Map<number, number>();
  /** Set by useTwoIdentities: who the plan job and the apply job sign in as. */
  private identities: { plan: Identity; apply: Identity } | undefined;

  constructor(
    readonly emulator: Emulator,
    readonly github: GitHubDouble,
    readonly runner: ActionRunner = "dist",
  ) {
    writeFileSync(this.caFile, emulator.ca);
  }

  /**
   * The setup the README recommends: the plan job signs in as an identity
   * with role-plan.json whose federated credential trusts pull requests; the
   * apply job as one with role.json that trusts only the `ipv6-proxy`
   * environment. The emulator enforces both roles from now on.
   */
  useTwoIdentities(roles: { plan: RolePermission[]; apply: RolePermission[] }): { plan: Identity; apply: Identity } {
    const scope = `/subscriptions/${this.emulator.subscriptionId}`;
    const plan = this.emulator.addApplication({ federatedSubjects: [PR_SUBJECT] });
    const apply = this.emulator.addApplication({ federatedSubjects: [ENVIRONMENT_SUBJECT] });
    this.emulator.assignRole(plan.clientId, scope, roles.plan);
    this.emulator.assignRole(apply.clientId, scope, roles.apply);
    this.identities = { plan, apply };
    return this.identities;
  }

  /** Opens pull request `number` whose head is the workspace as it is now; `base` defaults to main. */
  openPullRequest(number: number, opts: { fromFork?: boolean; labels?: string[]; base?: string } = {}): string {
    this.heads.set(number, 0);
    const headSha = fakeSha(`pr-${number}-0`);
    this.github.addPullRequest({
      number,
      headSha,
      headRepo: opts.fromFork ? "someone/web" : REPOSITORY,
      baseRepo: REPOSITORY,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.base ? { base: opts.base } : {}),
    });
    return headSha;
  }

  headSha(number: number): string {
    return fakeSha(`pr-${number}-${this.heads.get(number) ?? 0}`);
  }

  /** A new commit on the pull request (the workspace holds its content). */
  push(number: number): string {
    this.heads.set(number, (this.heads.get(number) ?? 0) + 1);
    const sha = this.headSha(number);
    this.github.setHead(number, sha);
    return sha;
  }

  merge(number: number): string {
    const sha = fakeSha(`merge-${number}-${Date.now()}-${Math.random()}`);
    this.github.merge(number, sha);
    return sha;
  }

  /** The pull_request event for pull request `number`, as the runner delivers it. */
  plan(
    number: number,
    extras: RunExtras & {
      fromFork?: boolean /** Another pull request event, e.g. pull_request_target. */;
      eventName?: string;
    } = {},
  ): Promise<ActionRunResult> {
    this.github.subject = PR_SUBJECT;
    const identity = this.identities?.plan;
    if (identity) extras = { ...extras, inputs: { "client-id": identity.clientId, ...extras.inputs } };
    return this.run(
      extras.eventName ?? "pull_request",
      pullRequestEvent({
        repository: REPOSITORY,
        number,
        headSha: this.headSha(number),
        action: "synchronize",
        headRepository: extras.fromFork ? "someone/web" : REPOSITORY,
      }),
      fakeSha(`pr-merge-ref-${number}`),
      `refs/pull/${number}/merge`,
      extras,
    );
  }

  /** The push event of `sha` landing on main. */
  apply(sha: string, extras: RunExtras = {}): Promise<ActionRunResult> {
    this.github.subject = this.identities ? ENVIRONMENT_SUBJECT : MAIN_SUBJECT;
    const identity = this.identities?.apply;
    if (identity) extras = { ...extras, inputs: { "client-id": identity.clientId, ...extras.inputs } };
    return this.run("push", pushEvent({ repository: REPOSITORY, sha }), sha, "refs/heads/main", extras);
  }

  private run(
    eventName: string,
    payload: Record<string, unknown>,
    sha: string,
    ref: string,
    extras: RunExtras,
  ): Promise<ActionRunResult> {
    const start: (o: ActionRunOptions) => Promise<ActionRunResult> =
      (extras.runner ?? this.runner) === "dist" ? runAction : runInProcess;
    return start({
      workspace: this.files.root,
      eventName,
      payload,
      repository: REPOSITORY,
      sha,
      ref,
      apiUrl: this.github.apiUrl,
      githubToken: this.github.token,
      inputs: {
        "subscription-id": this.emulator.subscriptionId,
        "tenant-id": this.emulator.tenantId,
        "client-id": this.emulator.clientId,
        "authority-host": this.emulator.authorityHost,
        "resource-manager-endpoint": this.emulator.endpoint,
        // The emulator is no known Azure cloud: the opt-in a real user of a custom endpoint would give.
        "allow-custom-endpoints": "true",
        ...extras.inputs,
      },
      env: {
        NODE_EXTRA_CA_CERTS: this.caFile,
        // The zones' name servers are the emulator's DNS listener.
        AZURE_DNS_NAME_SERVER_ADDRESS: this.emulator.dnsAddress,
        ACTIONS_ID_TOKEN_REQUEST_URL: this.github.idTokenRequestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.github.idTokenRequestToken,
        ...extras.env,
      },
    });
  }

  /** A scheduled run (`on: schedule`) of the default branch's latest commit `sha`, in mode drift unless inputs say otherwise. */
  scheduled(sha: string, extras: RunExtras = {}): Promise<ActionRunResult> {
    this.github.subject = MAIN_SUBJECT;
    return this.run(
      "schedule",
      { schedule: "17 6 * * *", workflow: ".github/workflows/ipv6-proxy.yml" },
      sha,
      "refs/heads/main",
      { ...extras, inputs: { mode: "drift", ...extras.inputs } },
    );
  }

  /** SDK clients with the emulator's client secret, to look at (or tamper with) Azure from outside the action. */
  clients(): AzureClients {
    return createAzureClients(emulatorConnection(this.emulator), this.emulator.subscriptionId);
  }

  async close(): Promise<void> {
    await Promise.all([this.emulator.close(), this.github.close()]);
    this.files.cleanup();
  }
}

export async function startActionWorld(
  opts: EmulatorOptions = {},
  runner: ActionRunner = "dist",
): Promise<ActionWorld> {
  if (runner === "dist") ensureDistBuilt();
  // Only GitHub's two subjects are trusted, as the federated credentials of workflow ipv6-proxy.yml would be.
  const emulator = await startEmulator({ federatedSubjects: [PR_SUBJECT, MAIN_SUBJECT], ...opts });
  const github = await startGitHubDouble({ repository: REPOSITORY });
  return new ActionWorld(emulator, github, runner);
}

/** The plan (or apply) comments on a pull request, identified by their marker. */
export function stickyComments(world: ActionWorld, pr: number, kind: "plan" | "apply"): { id: number; body: string }[] {
  return world.github.comments(pr).filter((c) => c.body.startsWith(`<!-- azure-ipv6-proxy:${kind} `));
}

/** Whether the proxy's VM exists in Azure (a 404 means no; any other error is thrown). */
export async function vmExists(world: ActionWorld, resourceGroup: string, proxy: string): Promise<boolean> {
  try {
    await world.clients().compute.virtualMachines.get(resourceGroup, resourceNames(proxy).virtualMachine);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** No stack trace reached the log: messages only. */
export function hasStackTrace(r: ActionRunResult): boolean {
  const visible = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => !l.startsWith("::debug::"));
  return visible.some((l) => /^\s+at .+\(.+:\d+:\d+\)$/.test(l) || /^\s+at file:/.test(l));
}
