// The engine's Logger over VS Code's LogOutputChannel, with every known secret blanked out of
// messages and arguments before they reach the channel: the engine is careful, this is the belt.
import type * as vscode from 'vscode';
import type { Logger } from '../core/log';

export class RedactingLogger implements Logger {
  private secrets: string[] = [];

  constructor(readonly channel: vscode.LogOutputChannel) {}

  /** Secrets (the API key) to blank out; called whenever the key changes. */
  setSecrets(values: (string | undefined)[]): void {
    this.secrets = values.filter((v): v is string => typeof v === 'string' && v.length >= 4);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  private args(args: unknown[]): unknown[] {
    if (this.secrets.length === 0) return args;
    return args.map((a) => {
      if (typeof a === 'string') return this.redact(a);
      if (a instanceof Error) return this.redact(a.stack ?? a.message);
      if (typeof a === 'object' && a !== null) {
        try {
          return this.redact(JSON.stringify(a));
        } catch {
          return '[object]';
        }
      }
      return a;
    });
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.redact(message), ...this.args(args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.redact(message), ...this.args(args));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.redact(message), ...this.args(args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.redact(message), ...this.args(args));
  }
  error(message: string | Error, ...args: unknown[]): void {
    const text = typeof message === 'string' ? message : (message.stack ?? message.message);
    this.channel.error(this.redact(text), ...this.args(args));
  }
}
