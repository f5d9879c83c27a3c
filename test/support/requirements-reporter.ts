/**
 * Ends a test run with one line per reason tests were skipped for a missing
 * requirement (see requirements.ts), however many tests and files share it:
 *   skipped 14 data-plane tests: haproxy not installed (apt-get install haproxy)
 * Under CI=true nothing may be skipped, so any skipped test fails the run
 * (a `.skip` or `skipIf` left in a file, too), unless a name filter (-t) was
 * given, which skips tests on purpose.
 */
import type { Reporter, TestModule, Vitest } from "vitest/node";
import { isCI } from "./requirements.js";

export interface SkipSummary {
  /** "skipped 14 data-plane tests: haproxy not installed (apt-get install haproxy)", one per reason. */
  lines: string[];
  /** Full names of skipped tests that name no requirement. */
  unexplained: string[];
}

export function summarizeSkips(modules: ReadonlyArray<TestModule>): SkipSummary {
  const counts = new Map<string, number>();
  const unexplained: string[] = [];
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      if (test.result().state !== "skipped") continue;
      const why = test.meta().skippedFor;
      if (!why) {
        unexplained.push(`${module.moduleId.replace(`${process.cwd()}/`, "")} > ${test.fullName}`);
        continue;
      }
      const key = JSON.stringify([why.group, why.reason]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const lines = [...counts].map(([key, n]) => {
    const [group, reason] = JSON.parse(key) as [string, string];
    return `skipped ${n} ${group} ${n === 1 ? "test" : "tests"}: ${reason}`;
  });
  return { lines: lines.sort(), unexplained };
}

export default class RequirementsReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const { lines, unexplained } = summarizeSkips(modules);
    const out = (line: string) => (this.vitest ? this.vitest.logger.log(line) : console.log(line));
    for (const line of lines) out(line);
    if (!isCI()) return;
    // A name filter (-t) skips tests on purpose.
    const unexpected = this.vitest?.config.testNamePattern ? [] : unexplained;
    if (lines.length === 0 && unexpected.length === 0) return;
    out("CI=true: nothing may be skipped, so this run fails.");
    for (const name of unexpected) out(`  skipped without a requirement: ${name}`);
    process.exitCode = 1;
  }
}
