// Runs in a headless Chromium page (test/pybytes.browser.test.ts): an ordinary page, not cross-origin
// isolated, so this exercises the plain-memory codec build of `membridge/pybytes`.
import { DecodeError, Tuple, decode, encode } from '../../src/pybytes.ts';

declare const VECTORS: Array<[string, string]>; // [name, hex] of the roundtrip vectors, injected by the test

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const bytes = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

const failures: string[] = [];
const check = (ok: boolean, what: string): void => {
  if (!ok) failures.push(what);
};

try {
  check(typeof SharedArrayBuffer === 'undefined' || !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated, 'page is unexpectedly cross-origin isolated');
  check(hex(encode({ id: 123, name: 'alice' })) === 'fd2c020102696405' + '7b01046e616d650105616c696365', 'small object bytes');
  check(decode(encode(Tuple.of<unknown>(1, 'é', 2n ** 70n)), { lossless: true }) instanceof Tuple, 'lossless tuple');
  let n = 0;
  for (const [name, h] of VECTORS) {
    const again = hex(encode(decode(bytes(h), { lossless: true })));
    check(again === h, `vector ${name} re-encodes differently`);
    n++;
  }
  try {
    decode(bytes('fd68'));
    check(false, 'unknown tag decoded');
  } catch (err) {
    check(err instanceof DecodeError, 'unknown tag is not a DecodeError');
  }
  document.body.textContent = failures.length ? `PYBYTES-BROWSER-FAIL ${failures.join('; ')}` : `PYBYTES-BROWSER-OK ${n}`;
} catch (err) {
  document.body.textContent = `PYBYTES-BROWSER-FAIL ${String(err)}`;
}
