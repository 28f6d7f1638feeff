// Assertions shared by the test suites.
import assert from 'node:assert/strict';
import { FingerError } from '../../src/core/errors';

/** `p` rejects with a FingerError (the errors that name a file and say what to do); `check` looks closer. */
export async function rejectsWithFingerError(p: Promise<unknown>, check: (e: FingerError) => void = () => {}): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FingerError, `expected FingerError, got ${String(e)}`);
    check(e);
    return true;
  });
}

/** `actual` is a number within `tol` of `expected` (null and undefined fail, with what came). */
export function assertClose(actual: number | null | undefined, expected: number, tol = 1e-12): void {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
}
