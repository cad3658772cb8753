// Calls the server's functions: a result, a remote error, a timeout; then removes them.
//   node examples/functions/client.mjs [PREFIX]
import { callFunction, IpcError, RemoteError, removeFunction } from 'membridge';

const p = process.argv[2] ?? 'example';
console.log('add(2, 3) =', await callFunction(`${p}.add`, [2, 3], { timeoutMs: 5000 }));
try {
  await callFunction(`${p}.divide`, [1, 0]);
} catch (err) {
  if (!(err instanceof RemoteError)) throw err;
  console.log(`divide(1, 0) threw in the server: ${err.remoteName}: ${err.remoteMessage}`);
}
try {
  await callFunction(`${p}.slow`, [2000], { timeoutMs: 100 });
} catch (err) {
  if (!(err instanceof IpcError && err.code === 'TIMED_OUT')) throw err;
  console.log('slow(2000) timed out after 100 ms, as asked');
}
// Stops the functions in the server (its createFunction promises resolve true).
for (const f of ['add', 'divide', 'slow']) console.log(`removeFunction(${f}) =`, removeFunction(`${p}.${f}`));
