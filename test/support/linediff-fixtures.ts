/** Shared inputs of the line-diff tests: a HAProxy config and random texts that replay from a seed. */

export const LIVE = `global
    log stdout format raw local0
    maxconn 4096

defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend https_in
    bind [::]:443 v6only
    default_backend www_example_nl

backend www_example_nl
    server s1 203.0.113.10:443 check
`;

/** Deterministic PRNG (mulberry32) so a failing random case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random text over few distinct lines (so many lines match), sometimes without a final newline. */
export function randomText(rand: () => number): string {
  const words = ["bind :443", "server s1", "", "mode tcp", "timeout 5s", "a", "b"];
  const count = Math.floor(rand() * 14);
  const lines = Array.from({ length: count }, () => words[Math.floor(rand() * words.length)]!);
  const text = lines.join("\n");
  return count > 0 && rand() < 0.8 ? `${text}\n` : text;
}

export function changedLineCount(diff: string): number {
  return diff.split("\n").filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l)).length;
}
