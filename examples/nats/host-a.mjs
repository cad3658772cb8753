// Host A (e.g. the robot's board): serves the function "plan" and follows the value "setpoint".
//   node examples/nats/host-a.mjs nats://127.0.0.1:4222
import { connect } from 'membridge/nats';

const net = await connect({ servers: process.argv[2] ?? 'nats://127.0.0.1:4222', namespace: 'example', name: 'host-a' });
const served = net.createFunction(
  'plan',
  (from, to) => {
    if (to < from) throw new RangeError(`cannot plan backwards from ${from} to ${to}`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  },
  { onReady: () => console.log('host A: serving "plan"') },
);
served.catch((err) => {
  console.error(`host A: cannot serve "plan": ${err.message}`); // e.g. ALREADY_EXISTS: another host serves it
  process.exit(1);
});

const setpoint = await net.openMemory('setpoint');
console.log(`host A: setpoint is ${JSON.stringify(setpoint.read())} (version ${setpoint.version})`);
process.once('SIGINT', () => void net.close());
try {
  for (;;) {
    const version = await setpoint.waitForChange(setpoint.version, { timeoutMs: Infinity });
    console.log(`host A: setpoint changed to ${JSON.stringify(setpoint.read())} (version ${version})`);
  }
} catch (err) {
  if (err.code !== 'CLOSED') throw err;
}
console.log(`host A: stopped (removed: ${await served})`);
