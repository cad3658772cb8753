// Serves three shared functions until one of them is removed (by the client, or Ctrl-C).
//   node examples/functions/server.mjs [PREFIX]
import { createFunction } from 'membridge';

const p = process.argv[2] ?? 'example';
const slow = createFunction(`${p}.slow`, async (ms) => {
  await new Promise((r) => setTimeout(r, ms));
  return `slept ${ms} ms`;
});
const divide = createFunction(`${p}.divide`, (a, b) => {
  if (b === 0) throw new RangeError('division by zero');
  return a / b;
});
// createFunction resolves true when removeFunction (here, or in another process) removes it.
const add = createFunction(`${p}.add`, (a, b) => a + b);
console.log('serving add, divide, slow');
process.on('SIGINT', () => process.exit(0)); // the functions' segments are removed on exit too
console.log('add removed:', await add);
console.log('divide removed:', await divide);
console.log('slow removed:', await slow);
