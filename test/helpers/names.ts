// Unique segment names for tests: "mbt-<run>-<pid>-<tag>-<n>", where <run> is set by the test
// driver (MEMBRIDGE_TEST_RUN), so the driver can prove that no test of its run left a segment
// behind without touching segments of runs going on at the same time.
import process from 'node:process';

let counter = 0;

export function testName(tag: string): string {
  return `mbt-${process.env.MEMBRIDGE_TEST_RUN ?? 'manual'}-${process.pid}-${tag}-${++counter}`;
}
