// Typed keys over workspaceState / globalState / secrets, so a key and the type of its value are
// declared once (as GitLens does) and a typo cannot read another key's value.
import type * as vscode from 'vscode';
import type { Protocol } from '../core/types';

export interface StorageKey<T> {
  readonly key: string;
  /** Type marker only. */
  readonly _type?: T;
}
const key = <T>(k: string): StorageKey<T> => ({ key: `finger.${k}` });

/** A video whose results panel is open: its workspace folder's name and its path relative to it. */
export interface OpenPanel {
  workspaceFolder: string;
  relPath: string;
  /** Whose results the panel showed (FingER's when absent). */
  protocol?: Protocol;
}

export const WorkspaceKeys = {
  /** Videos whose results panel was open, workspace-relative: a fallback for the serializer when
   *  a panel was restored without webview state. */
  openPanels: key<OpenPanel[]>('openPanels2'),
} as const;

export const SecretKeys = {
  apiKey: 'finger.apiKey',
} as const;

export class TypedMemento {
  constructor(private readonly memento: vscode.Memento) {}
  get<T>(k: StorageKey<T>): T | undefined;
  get<T>(k: StorageKey<T>, fallback: T): T;
  get<T>(k: StorageKey<T>, fallback?: T): T | undefined {
    return this.memento.get<T>(k.key) ?? fallback;
  }
  update<T>(k: StorageKey<T>, value: T | undefined): Thenable<void> {
    return this.memento.update(k.key, value);
  }
}

/**
 * The API key lives only in SecretStorage (never settings, results or logs). The environment
 * variables are a fallback so a key exported for the CLI also works in the editor.
 */
export class ApiKeyStore implements vscode.Disposable {
  private cached: string | undefined;
  private loaded = false;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly onChange: () => void,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key !== SecretKeys.apiKey) return;
      this.loaded = false;
      this.onChange();
    });
  }

  async get(): Promise<string | undefined> {
    if (!this.loaded) {
      this.cached = (await this.secrets.get(SecretKeys.apiKey)) || undefined;
      this.loaded = true;
    }
    return this.cached ?? (this.env.FINGER_API_KEY || this.env.OPENAI_API_KEY || undefined);
  }

  /** Where the key in use comes from, for messages (never the key itself). */
  async source(): Promise<'secret storage' | 'environment' | 'none'> {
    const stored = await this.secrets.get(SecretKeys.apiKey);
    if (stored) return 'secret storage';
    return this.env.FINGER_API_KEY || this.env.OPENAI_API_KEY ? 'environment' : 'none';
  }

  async set(value: string): Promise<void> {
    await this.secrets.store(SecretKeys.apiKey, value);
    this.cached = value;
    this.loaded = true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SecretKeys.apiKey);
    this.cached = undefined;
    this.loaded = true;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
