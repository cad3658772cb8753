// The one seam between shared values and the value format. Named memory and shared variables
// store pybytes messages (docs/pybytes-format.md), so that Python peers and membridge processes
// read each other's values.
//
// TEMPORARY until the pybytes codec (branch `codec`) is merged: values must be Uint8Array and are
// stored as given, i.e. the caller supplies an already-encoded pybytes message. Switching to the
// codec means replacing the two function bodies below with its encode() and decode().

/** Encodes a value into the bytes stored in shared memory. */
export function encodeValue(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`Cannot write to ${what}: this build stores only Uint8Array values until the pybytes codec is available`);
}

/** Decodes bytes copied out of shared memory. */
export function decodeValue(bytes: Uint8Array, _what: string): unknown {
  return bytes;
}
