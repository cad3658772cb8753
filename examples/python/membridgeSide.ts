// The membridge side of examples/python (terminal 2, see README.md): reads the value Python shared,
// serves a function Python calls, calls the function Python serves, then stops it.
import { callFunction, createFunction, readMemory, removeFunction, writeMemory } from '../../src/index.ts'; // 'membridge' in your own project

const sysframe = { layout: 'sysframe' } as const;

// A function in sysframe's layout, so Python's call_function finds it.
const served = createFunction('demo-js-greet', (who: string) => `hello ${who}, from membridge`, sysframe);

// Wait for Python's value, read it losslessly (the tuple stays a tuple) and publish a change.
let config: unknown = null;
while (config === null) {
  try {
    config = readMemory('demo-config', { ...sysframe, lossless: true });
  } catch {
    await new Promise((r) => setTimeout(r, 200));
  }
}
console.log('membridge: read demo-config', config);
(config as Map<string, unknown>).set('rate', 60);
writeMemory('demo-config', config, sysframe);

// Python's function: retried until Python serves it.
for (;;) {
  try {
    console.log('membridge: python scale(21, 2) =', await callFunction('demo-py-scale', [21, 2], { ...sysframe, timeoutMs: 2000 }));
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 200));
  }
}
removeFunction('demo-py-scale', sysframe); // Python's create_function returns
removeFunction('demo-js-greet', sysframe);
console.log('membridge: stopped serving:', await served);
