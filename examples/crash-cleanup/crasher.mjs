// Makes a value, serves a function and a channel, then dies with SIGKILL: no cleanup runs.
//   node examples/crash-cleanup/crasher.mjs [PREFIX]
import { Channel, createFunction, writeMemory } from 'membridge';

const p = process.argv[2] ?? 'example.crash';
writeMemory(`${p}.settings`, { gain: 3 }); // data: outlives this process, by design
createFunction(`${p}.ping`, () => 'pong');
new Channel(`${p}.events`, 'server').open();
console.log(`made ${p}.settings, ${p}.ping and ${p}.events; now dying without cleaning up`);
process.kill(process.pid, 'SIGKILL');
