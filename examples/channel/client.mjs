// A Channel client: requests to the server, answers the server's request, receives notifications.
//   node examples/channel/client.mjs [NAME]
import { Channel } from 'membridge';

const name = process.argv[2] ?? 'example.chat';
const client = new Channel(name, 'client', { openTimeoutMs: 5000 }).open();
// The server's requests to this client are answered by a callback…
client.setRequestCallback((value) => (value.op === 'name?' ? `client ${process.pid}` : null));
// …and its notifications arrive through an async iterator.
const greeted = (async () => {
  for await (const { value } of client.notifications()) {
    console.log('server says:', value);
    return;
  }
})();
console.log(await client.request({ op: 'hello' }));
console.log(await client.request({ op: 'upper', text: 'shared memory' }));
await client.notify('thanks');
await greeted;
console.log(await client.request({ op: 'bye' }));
client.close();
