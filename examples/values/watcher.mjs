// Waits for the pose to change and prints each new version, until the writer says "done".
//   node examples/values/watcher.mjs [NAME]     (start it before or after the writer)
import { HostVariable, IpcError, SharedMemory, removeMemory } from 'membridge';

const name = process.argv[2] ?? 'example.pose';
const pose = SharedMemory.openOrCreate(name); // either side may come first
let since = pose.version;
console.log(`watching ${name}`);
for (;;) {
  try {
    since = await pose.waitForChange(since, { timeoutMs: 10_000 });
  } catch (err) {
    if (err instanceof IpcError && err.code === 'TIMED_OUT') {
      console.log('no change for 10 s; is the writer running?');
      continue;
    }
    throw err;
  }
  const { value, version } = pose.read();
  console.log(`version ${version}: ${JSON.stringify(value)}`);
  if (value === 'done') break;
}
const counter = new HostVariable(`${name}.count`, { create: false });
console.log(`the shared variable says ${counter.data}`);
counter.close();
pose.close();
// Clean up both values (they would otherwise stay for the next reader, as intended).
removeMemory(name);
HostVariable.remove(`${name}.count`);
