import { execFileSync } from "node:child_process";

/**
 * The default owner instance: the GitHub repository ("org/repo"). The action
 * reads GITHUB_REPOSITORY; the CLI falls back to the git remote, so a plan run
 * from a laptop claims the same resources as the action of that repository.
 */
export function defaultOwner(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.GITHUB_REPOSITORY) return env.GITHUB_REPOSITORY;
  try {
    const url = execFileSync("git", ["remote", "get-url", "origin"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return ownerFromRemote(url);
  } catch {
    return undefined;
  }
}

/**
 * `git@github.com:org/repo.git` or `https://github.com/org/repo` → `org/repo`.
 * A remote that is a local path names no repository.
 */
export function ownerFromRemote(url: string): string | undefined {
  const m = /^(?:[a-z+]+:\/\/[^/]+\/(?:.*\/)?|[^@/:]+@[^:/]+:(?:.*\/)?)([^/:]+\/[^/]+?)(?:\.git)?\/?$/i.exec(
    url.trim(),
  );
  return m?.[1];
}

/** Owner values go into tags and DNS metadata: keep them short and printable. */
export function checkOwner(owner: string): string | undefined {
  if (owner.length < 1 || owner.length > 200) return "must be 1-200 characters";
  if (!/^[A-Za-z0-9._\-/]+$/.test(owner)) return "may contain only letters, digits, '.', '_', '-' and '/'";
  return undefined;
}
