// A private nats-server for one test file: 127.0.0.1 only, a free port (-p -1, read back from the
// ports file), JetStream in a temporary folder, stopped by pid. restart() stops it and starts it
// again on the same port and store, for the tests of a server restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NatsServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'mbt-nats-'));
  url = '';
  port = 0;

  constructor(private readonly executable: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    const portsDir = join(this.dir, 'ports');
    rmSync(portsDir, { recursive: true, force: true });
    const args = ['-a', '127.0.0.1', '-p', this.port ? String(this.port) : '-1', '-js', '-sd', join(this.dir, 'js'), '--ports_file_dir', this.dir];
    this.child = spawn(this.executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    this.child.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<void>((r) => this.child!.once('exit', () => r()));
    for (let i = 0; i < 200; i++) {
      const f = readdirSync(this.dir).find((n) => n.endsWith('.ports') && n.includes(`_${this.child!.pid}.`));
      if (f) {
        try {
          this.url = (JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as { nats: string[] }).nats[0]!;
          this.port = Number(new URL(this.url).port);
          // JetStream is ready a little after the listener.
          if (/Server is ready/.test(log)) return this;
        } catch {
          // half written
        }
      }
      if (await Promise.race([sleep(25).then(() => false), exited.then(() => true)])) throw new Error(`nats-server exited: ${log}`);
    }
    throw new Error(`nats-server did not start within 5 s: ${log}`);
  }

  /** Stops the server (SIGTERM, SIGKILL after 2 s) and waits for its exit. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
    this.child = undefined;
  }

  /** Stops, waits `downMs`, starts again on the same port with the same JetStream store. */
  async restart(downMs = 300): Promise<void> {
    await this.stop();
    await sleep(downMs);
    await this.start();
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
