// A scratch segment for a test body, removed afterwards whatever happens.
import { MappedSegment, unlinkSegment } from '../../src/internal/MappedSegment.ts';
import { testName } from './names.ts';

export function withSegment(tag: string, fn: (seg: MappedSegment) => Promise<void> | void, size = 4096): () => Promise<void> {
  return async () => {
    const seg = MappedSegment.create(testName(tag), size);
    try {
      await fn(seg);
    } finally {
      seg.unmap();
      unlinkSegment(seg.name);
    }
  };
}
