// The extension, as loaded by the real extension host, is present and activates cleanly.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'finger-eval.finger-video-eval';

suite('Extension smoke', () => {
  test('is installed in the extension host', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    assert.equal(ext.packageJSON.name, 'finger-video-eval');
  });

  test('activates without error', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('a workspace folder is open', () => {
    assert.ok(vscode.workspace.workspaceFolders?.length, 'no workspace folder');
  });
});
