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
