/**
 * The one string order for everything that feeds a fingerprint, a hash or
 * output: UTF-16 code units, as `Array.prototype.sort()` without a comparator
 * uses. `localeCompare` depends on the machine's locale and ICU version, so
 * the same plan could sort (and hash) differently on two runners.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
