// Named values live in "mb.<name>" and "mbd.<gen>.<name>" segments, which the test driver's leak
// check (it looks for "mbt-<run>-…") does not see. Value tests check their own leftovers with this.
import { readdirSync, rmSync } from 'node:fs';
import process from 'node:process';

/** Segments of named values made from this process's test names; removes them and returns their names. */
export function takeValueLeftovers(): string[] {
  const mine = `mbt-${process.env.MEMBRIDGE_TEST_RUN ?? 'manual'}-${process.pid}-`;
  const left = readdirSync('/dev/shm').filter((n) => n.startsWith('mb.' + mine) || (n.startsWith('mbd.') && n.includes('.' + mine)));
  for (const n of left) rmSync('/dev/shm/' + n, { force: true });
  return left;
}
