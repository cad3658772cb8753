// The last line a fuzz or truncation peer prints ({ done: true, ...report }), read until it comes or the
// peer falls silent; shared by test/headerFuzz.test.ts and test/truncation.test.ts.
import type { Peer } from './hosts.ts';

export async function peerReport<R>(p: Peer, timeoutMs: number): Promise<R | undefined> {
  for (;;) {
    const line = await p.next<Record<string, unknown>>(timeoutMs).catch(() => undefined);
    if (!line) return undefined;
    if (line.done) return line as unknown as R;
  }
}
