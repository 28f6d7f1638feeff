// PLACEHOLDER written by the test-harness engineer so the packaging and VS Code tests have something
// to load. The extension engineer replaces this file with the real entry point.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  console.log(`[finger] activated (placeholder) from ${context.extensionUri.toString()}`);
}

export function deactivate(): void {}
