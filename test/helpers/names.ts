// Unique segment names for tests, all starting with "mbt-" so the test driver can prove that no
// test leaves a segment behind.
import process from 'node:process';

let counter = 0;

export function testName(tag: string): string {
  return `mbt-${process.pid}-${tag}-${++counter}-${Math.floor(Math.random() * 1e6)}`;
}
