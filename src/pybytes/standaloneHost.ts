// The plain-memory codec instance behind `membridge/pybytes`: no addon, no shared memory, no
// threads, so it also runs in ordinary (not cross-origin isolated) browser pages.
import { CODEC_WASM_BASE64 } from './codecWasm.generated.ts';
import type { CodecExports, CodecHost } from './CodecHost.ts';

const PAGE = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

class StandaloneHost implements CodecHost {
  readonly exports: CodecExports;
  readonly memory: WebAssembly.Memory;
  readonly shared = false;
  private readonly start: number;
  private bytes: Uint8Array;

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(CODEC_WASM_BASE64)), {
      env: {
        memory: this.memory,
        abort(): never {
          throw new Error('membridge codec aborted');
        },
      },
    });
    this.exports = instance.exports as unknown as CodecExports;
    this.start = (this.exports.pbHeapBase() + 15) & ~15;
    this.bytes = new Uint8Array(this.memory.buffer);
  }

  // Only this class grows the memory (the module never executes memory.grow), so the cached view
  // stays valid until grow() below replaces it.
  view(): Uint8Array {
    return this.bytes;
  }

  scratch(bytes: number): number {
    const need = this.start + bytes;
    const have = this.bytes.byteLength;
    if (need > have) {
      // Grow geometrically so that a series of growing messages does not grow every time.
      const pages = Math.max(Math.ceil((need - have) / PAGE), Math.ceil(have / PAGE / 2));
      try {
        this.memory.grow(pages);
      } catch {
        throw new RangeError(`Cannot reserve ${bytes} bytes of codec scratch memory: the WebAssembly memory cannot grow by ${pages} pages`);
      }
      this.bytes = new Uint8Array(this.memory.buffer);
    }
    return this.start;
  }
}

let host: CodecHost | undefined;

/** The shared standalone codec instance, created on first use. */
export function standaloneHost(): CodecHost {
  host ??= new StandaloneHost();
  return host;
}
