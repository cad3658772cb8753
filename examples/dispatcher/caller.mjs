// Calls the dispatcher's functions with HostFunctionCaller: call() sends, getResponse() answers
// in call order; callSync() blocks.
//   node examples/dispatcher/caller.mjs [PREFIX]
import { HostFunctionCaller, IpcError } from 'membridge';

const p = process.argv[2] ?? 'example';
const square = new HostFunctionCaller(`${p}.square`, { timeoutMs: 5000 });
for (const x of [1, 2, 3]) square.call([x]);
console.log('squares:', await square.getResponse(), await square.getResponse(), await square.getResponse());
try {
  await square.invoke(['x'.repeat(100)]); // more than maxArgsSize
} catch (err) {
  if (!(err instanceof IpcError)) throw err;
  console.log(`too large an argument: ${err.code}`);
}
square.close();
const greet = new HostFunctionCaller(`${p}.greet`);
console.log(greet.callSync(['world'])); // blocks this thread until the answer
greet.close();
const stop = new HostFunctionCaller(`${p}.stop`);
console.log(await stop.invoke([]));
stop.close();
