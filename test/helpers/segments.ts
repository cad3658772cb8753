// A scratch segment for a test body, removed afterwards whatever happens.
import { SegmentMapping, unlinkSegment } from '../../src/segments/SegmentMapping.ts';
import { testName } from './names.ts';

export function withSegment(tag: string, fn: (seg: SegmentMapping) => Promise<void> | void, size = 4096): () => Promise<void> {
  return async () => {
    const seg = SegmentMapping.create(testName(tag), size);
    try {
      await fn(seg);
    } finally {
      seg.unmap();
      unlinkSegment(seg.name);
    }
  };
}
