/** "did you mean" for unknown keys: catches plurals, case slips and snake_case. */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const normalize = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** The candidate the user most likely meant, or undefined when none is close. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const wanted = normalize(word);
  const exact = candidates.find((c) => normalize(c) === wanted);
  if (exact) return exact;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance <= 2 && distance * 3 <= candidate.length && (!best || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}
