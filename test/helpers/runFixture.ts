// How a fixture process ends: exit 0 when its command finished, 1 with the stack on stderr when
// it threw, so the test that started it sees the reason.
import process from 'node:process';

export function runFixture(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(String((err as Error).stack ?? err) + '\n');
      process.exit(1);
    },
  );
}
