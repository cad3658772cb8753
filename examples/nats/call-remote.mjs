// Calls any function over NATS: node examples/nats/call-remote.mjs URL NAME ARG...
import { connect } from 'membridge/nats';

const [url, name, ...args] = process.argv.slice(2);
const net = await connect({ servers: url, namespace: 'example' });
try {
  console.log(await net.callFunction(name, args.map(Number), { timeoutMs: 2000 }));
} finally {
  await net.close(); // or `await using net = …` where the runtime or compiler supports it
}
