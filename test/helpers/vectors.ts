// Loads the golden vectors (test/vectors/pybytes-golden.json, a copy of the shared file so that a
// fresh clone tests alone) and normalises typed JSON for comparison.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Vector {
  kind: 'roundtrip' | 'encode_error' | 'quirk' | 'decode' | 'protocol1';
  name: string;
  value: unknown;
  hex: string | null;
  roundtrip?: string;
  result_py312?: string;
  input_description?: string;
}

// Bundled tests live in build/test/; the repository root is two levels up.
const here = dirname(fileURLToPath(import.meta.url));
const candidates = [join(here, '..', '..', 'test', 'vectors'), join(here, '..', 'test', 'vectors'), join(here, '..', 'vectors')];

export function loadVectors(): Vector[] {
  for (const dir of candidates) {
    try {
      return JSON.parse(readFileSync(join(dir, 'pybytes-golden.json'), 'utf8')) as Vector[];
    } catch {
      // try the next place
    }
  }
  throw new Error(`pybytes-golden.json not found in ${candidates.join(', ')}`);
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** Expands `repeat` forms and keeps only the authoritative `bits` of floats. */
export function normalize(j: unknown): unknown {
  if (Array.isArray(j)) return j.map(normalize);
  if (typeof j !== 'object' || j === null) return j;
  const o = j as Record<string, unknown>;
  if (o.t === 'float') return { t: 'float', bits: o.bits };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'repeat') {
      const r = v as { v?: string; hex?: string; count: number };
      if (r.hex !== undefined) out.hex = r.hex.repeat(r.count);
      else out.v = r.v!.repeat(r.count);
    } else out[k] = normalize(v);
  }
  return out;
}
