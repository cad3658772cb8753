// Host B (e.g. the operator's laptop): writes "setpoint", calls "plan" on host A.
//   node examples/nats/host-b.mjs nats://127.0.0.1:4222
import { connect, RemoteError } from 'membridge/nats';

const net = await connect({ servers: process.argv[2] ?? 'nats://127.0.0.1:4222', namespace: 'example', name: 'host-b' });
try {
  for (const target of [3, 5, 8]) {
    const version = await net.writeMemory('setpoint', { x: target, at: new Date() });
    console.log(`host B: wrote setpoint x=${target} (version ${version})`);
    console.log(`host B: plan(0, ${target}) =`, await net.callFunction('plan', [0, target], { timeoutMs: 2000 }));
  }
  try {
    await net.callFunction('plan', [5, 1]);
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    console.log(`host B: plan(5, 1) threw on host A: ${err.remoteName}: ${err.remoteMessage}`);
  }
} finally {
  await net.close(); // or `await using net = …` where the runtime or compiler supports it
}
