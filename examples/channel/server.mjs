// A Channel server: answers requests, asks each client a question of its own, and notifies.
//   node examples/channel/server.mjs [NAME]
import { Channel } from 'membridge';

const name = process.argv[2] ?? 'example.chat';
const server = new Channel(name, 'server').open();
console.log(`serving channel ${name}`);
process.on('SIGINT', () => {
  server.close(); // removes the channel's segment
  process.exit(0);
});

// Notifications from clients, as an async iterator.
(async () => {
  for await (const { value } of server.notifications()) console.log('client says:', value);
})();

// Requests as an async iterator: each one is answered with respond().
for await (const req of server.requests()) {
  const { op, text } = req.value;
  if (op === 'upper') req.respond(text.toUpperCase());
  else if (op === 'hello') {
    req.respond('welcome');
    // Requests go both ways: the server asks this client something, and notifies it.
    const name = await req.peer.request({ op: 'name?' });
    await req.peer.notify(`hello, ${name}`);
  } else if (op === 'bye') {
    req.respond('bye');
    break;
  } else req.fail(new Error(`unknown op ${op}`));
}
server.close();
console.log('closed');
