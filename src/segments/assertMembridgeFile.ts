// Before a name is unlinked by a remove call: is the file one membridge made?
import { IpcError } from '../errors/IpcError.ts';
import { runtime } from '../platform/runtime.ts';
import { SegmentMapping } from './SegmentMapping.ts';
import { SEGMENT_MAGIC } from '../platform/coreAbi.generated.ts';

/**
 * Throws WRONG_KIND when segment `name` exists and is not a membridge segment (a file of another
 * program that happens to use the name), PERMISSION_DENIED when it belongs to another user. A
 * missing file, or one whose first four bytes are still zero (a creator between sizing the file
 * and finishing its header, whose magic is written last), passes.
 */
export function assertMembridgeFile(name: string, what: string): void {
  let seg: SegmentMapping;
  try {
    seg = SegmentMapping.open(name);
  } catch (err) {
    if (err instanceof IpcError && (err.code === 'NOT_FOUND' || err.code === 'NOT_READY')) return;
    throw err;
  }
  try {
    const magic = seg.size >= 4 ? runtime().core.segMagic(seg.ptr) >>> 0 : 0;
    if (seg.size < runtime().core.segHeaderSize() && magic === 0 && seg.size > 0) {
      throw new IpcError('WRONG_KIND', `Cannot remove ${what}: "${name}" is a ${seg.size}-byte file membridge did not make; it was left alone`, { name });
    }
    if (magic !== 0 && magic !== SEGMENT_MAGIC) {
      throw new IpcError('WRONG_KIND', `Cannot remove ${what}: "${name}" is not a membridge segment (magic 0x${magic.toString(16)}); it was left alone`, { name });
    }
  } finally {
    seg.unmap();
  }
}
