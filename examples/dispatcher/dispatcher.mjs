// Serves several functions from one process with a HostFunctionDispatcher, with size limits.
//   node examples/dispatcher/dispatcher.mjs [PREFIX]
import { HostFunctionDispatcher } from 'membridge';

const p = process.argv[2] ?? 'example';
const d = new HostFunctionDispatcher(3);
d.add(`${p}.square`, (x) => x * x, { maxArgsSize: 64, maxReturnSize: 64 });
d.add(`${p}.greet`, (who) => `hello, ${who}`);
d.add(`${p}.stop`, () => {
  setTimeout(() => {
    d.stop(); // removes every function's segment
    console.log('stopped');
  }, 10);
  return 'stopping';
});
d.start();
console.log('dispatching square, greet, stop');
process.on('SIGINT', () => {
  d.stop();
  process.exit(0);
});
