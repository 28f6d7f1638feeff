// Reaching the extension's exports from the extension-host tests.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FingerApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'finger-eval.finger-video-eval';

export async function fingerApi(): Promise<FingerApi> {
  const ext = vscode.extensions.getExtension<FingerApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

/** Polls `probe` until it returns something truthy (the extension reacts to files asynchronously). */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
