// Writes a pose to named memory and a counter to a shared variable, 10 times, 200 ms apart.
//   node examples/values/writer.mjs [NAME]      (also: deno run -A …, bun …)
import { HostVariable, writeMemory } from 'membridge';

const name = process.argv[2] ?? 'example.pose';
const counter = new HostVariable(`${name}.count`, { maxSize: 64 }); // created if missing
for (let i = 1; i <= 10; i++) {
  writeMemory(name, { x: i, y: i * 2, at: new Date() }); // named memory: any size, any pybytes value
  counter.data = i; // shared variable: bounded size, fastest path
  console.log(`wrote pose ${i}`);
  await new Promise((r) => setTimeout(r, 200));
}
writeMemory(name, 'done');
counter.close();
// Named values outlive their writers (like Python's membridge); the watcher removes them.
