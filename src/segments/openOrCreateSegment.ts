// Create-or-open for named shared values, including recovery from a creator that died while
// initialising (the segment would otherwise say "initialising" forever; staleSegment.ts removes it).
import { IpcError } from '../errors/IpcError.ts';
import { removeAbandoned } from './staleSegment.ts';
import { Segment, type OpenSegmentOptions } from './Segment.ts';

/** Opens `name`, or creates it with `create` when it does not exist. */
export function openOrCreateSegment(name: string, open: OpenSegmentOptions, create: (() => Segment) | undefined): { segment: Segment; created: boolean } {
  for (let attempt = 0; ; attempt++) {
    try {
      return { segment: Segment.open(name, open), created: false };
    } catch (err) {
      if (!(err instanceof IpcError) || attempt >= 5) throw err;
      if (err.code === 'NOT_READY' && removeAbandoned(name)) continue;
      if (err.code !== 'NOT_FOUND' || !create) throw err;
    }
    try {
      return { segment: create(), created: true };
    } catch (err) {
      if (!(err instanceof IpcError && err.code === 'ALREADY_EXISTS')) throw err;
    }
  }
}
