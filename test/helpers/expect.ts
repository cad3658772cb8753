// Assertions on errors that check the class and the code. (uvu's assert.throws calls a function
// argument as a predicate, so `assert.throws(fn, RangeError)` would accept any error at all.)
import * as assert from 'uvu/assert';
import { IpcError, type IpcErrorCode } from '../../src/errors/IpcError.ts';

/** Runs `fn` and returns what it threw, failing unless it is an instance of `kind`. */
export function expectThrow<E extends Error>(fn: () => unknown, kind: abstract new (...args: never[]) => E, pattern?: RegExp): E {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof kind)) throw new assert.Assertion({ message: `expected ${kind.name}, got ${String(err)}`, operator: 'throws', generated: true, expects: kind.name, actual: String(err) });
    if (pattern) assert.match(err.message, pattern);
    return err;
  }
  throw new assert.Assertion({ message: `expected ${kind.name} to be thrown`, operator: 'throws', generated: true, expects: kind.name, actual: 'no error' });
}

/** Runs `fn` and fails unless it throws an IpcError with `code`. */
export function expectCode(fn: () => unknown, code: IpcErrorCode, pattern?: RegExp): IpcError {
  const err = expectThrow(fn, IpcError, pattern);
  assert.is(err.code, code, err.message);
  return err;
}

/** Awaits `promise` and fails unless it rejects with an IpcError with `code`. */
export async function expectRejectCode(promise: Promise<unknown>, code: IpcErrorCode): Promise<IpcError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof IpcError)) throw err;
    assert.is(err.code, code, err.message);
    return err;
  }
  throw new assert.Assertion({ message: `expected a rejection with ${code}`, operator: 'rejects', generated: true, expects: code, actual: 'resolved' });
}

/** The IpcError code `fn` throws, 'OK' when it returns, or the text of any other error. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (err) {
    return err instanceof IpcError ? err.code : String(err);
  }
}
