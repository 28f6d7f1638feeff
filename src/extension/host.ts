// What every feature of the extension shares: the log, the API key, the settings and the trust
// state. Created during activation; deliberately free of zod, openai and the engine so that
// activation stays fast (the features that need them are loaded on first use, see extension.ts).
import * as vscode from 'vscode';
import type { ApiKeyStore } from './storage';
import { TypedMemento } from './storage';
import type { RedactingLogger } from './log';
import { CONFIG_SECTION, readEvalSettings, type ExtensionSettings } from './settings';

export class Host {
  readonly workspaceState: TypedMemento;
  readonly globalState: TypedMemento;

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly logger: RedactingLogger,
    readonly apiKeys: ApiKeyStore,
  ) {
    this.workspaceState = new TypedMemento(context.workspaceState);
    this.globalState = new TypedMemento(context.globalState);
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Current settings, with the API key filled in; the logger learns the key so it can blank it. */
  async settings(scope?: vscode.Uri): Promise<ExtensionSettings> {
    const apiKey = await this.apiKeys.get();
    this.logger.setSecrets([apiKey]);
    return readEvalSettings(vscode.workspace.getConfiguration(CONFIG_SECTION, scope), { trusted: this.trusted, apiKey });
  }

  /** Settings without the key, for display (status bar, messages). */
  settingsForDisplay(scope?: vscode.Uri): ExtensionSettings {
    return readEvalSettings(vscode.workspace.getConfiguration(CONFIG_SECTION, scope), { trusted: this.trusted });
  }
}

export const UNTRUSTED_MESSAGE =
  'FingER does not score videos in an untrusted workspace: scoring sends the frames and prompts of this workspace to an endpoint and runs ffmpeg on its files. Existing results can still be viewed. Trust the workspace to score.';

/** Returns true when scoring may proceed; otherwise tells the user why not (with a way to trust). */
export function requireTrust(host: Host): boolean {
  if (host.trusted) return true;
  host.logger.warn('Refused to score: the workspace is not trusted.');
  void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
