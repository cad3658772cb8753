// A process that knows only shared memory: serves "shm-plan" on this machine. With
// `membridge gateway --export fn:shm-plan` running beside it, other hosts call it over NATS.
//   node examples/nats/local-service.mjs
import { createFunction } from 'membridge';

console.log('local service: serving "shm-plan" over shared memory (Ctrl-C to stop)');
await createFunction('shm-plan', (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
