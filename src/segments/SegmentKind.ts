// What a membridge segment holds (the `kind` field of the segment header, docs/layout.md).
export const SegmentKind = {
  MEMORY: 1,
  VARIABLE: 2,
  CHANNEL: 3,
  FUNCTION: 4,
  /** Reserved, never written: a HostFunctionDispatcher serves each function as a FUNCTION segment. Listed so tools name it. */
  DISPATCHER: 5,
  FRAMEBUFFER: 6,
  /** A data generation of a named memory ("mbd.<gen>.<name>"); kind 1 is its directory. */
  MEMORY_DATA: 7,
  /** Used by tests and benchmarks of the segment protocol itself. */
  TEST: 15,
} as const;

export type SegmentKindValue = (typeof SegmentKind)[keyof typeof SegmentKind];

const names = new Map<number, string>(Object.entries(SegmentKind).map(([k, v]) => [v, k.toLowerCase()]));

/** "memory", "channel", … or "kind 9" for kinds this version does not know. */
export function kindName(kind: number): string {
  return names.get(kind) ?? `kind ${kind}`;
}
