// Shape cache for plain objects. Objects built by assigning keys one by one go through a keyed
// store that sees every key of every object, so V8 handles it megamorphically (slow). For dicts
// whose key set repeats (records, nested configs, RPC arguments) we instead compile, once per key
// set, a function holding an object literal with those keys: V8 then allocates the object with its
// final hidden class straight from the literal's boilerplate. Keys are the key cache's interned
// strings (ASCII, at most 16 bytes), written into the source with JSON.stringify, and `__proto__`
// never takes this path (in a literal it would set the prototype). Where code generation is
// refused (a Content-Security-Policy without 'unsafe-eval'), the cache switches itself off.
export type Build = (v: unknown[], o: number) => Record<string, unknown>;
export interface Shape { readonly keys: string[]; readonly build: Build }
export const SHAPE_SLOTS = 1024;
export const SHAPE_MAX_KEYS = 32;
// One or two keys: the keyed stores stay cheap (few hidden classes per store site), and the pairs
// scratch costs more than it saves (depth-100 nesting of 2-key dicts measured ~10% slower).
export const SHAPE_MIN_KEYS = 3;
export const shapes: Array<Shape | undefined> = new Array(SHAPE_SLOTS).fill(undefined);
export const shapeSeen = new Int32Array(SHAPE_SLOTS); // hash last seen per slot: compile on the second sighting
export let shapesOn = true;
let shapeBudget = 4096; // compiled shapes per process, against a stream of ever-new key sets

export function compileShape(keys: string[]): Build | undefined {
  if (shapeBudget <= 0) return undefined;
  shapeBudget--;
  let src = 'return {';
  for (let i = 0; i < keys.length; i++) src += `${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:v[o+${2 * i + 1}]`;
  try {
    return new Function('v', 'o', src + '}') as Build;
  } catch {
    shapesOn = false;
    return undefined;
  }
}
