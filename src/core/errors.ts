// Errors that a person reads. Each names the file it is about (when there is one) and says what
// to do, so the CLI and the extension can show `message` as it is, without a stack trace.

export class FingerError extends Error {
  override readonly name: string = 'FingerError';
  constructor(
    message: string,
    readonly options: { file?: string; hint?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
  get file(): string | undefined {
    return this.options.file;
  }
  get hint(): string | undefined {
    return this.options.hint;
  }
  /** "<file>[:line]: message. hint" — what the CLI prints and the extension shows. */
  describe(): string {
    const where = this.file ? `${this.file}${this.options.line ? `:${this.options.line}` : ''}: ` : '';
    return `${where}${this.message}${this.hint ? ` ${this.hint}` : ''}`;
  }
}

/** A problem with the user's configuration (endpoint, model, ffmpeg): the CLI exits with 2. */
export class ConfigError extends FingerError {
  override readonly name = 'ConfigError';
}

/** Thrown when the user cancelled (AbortSignal). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'Cancelled') {
    super(message);
  }
}

export function isAbortError(e: unknown): boolean {
  if (e instanceof CancelledError) return true;
  if (!(e instanceof Error)) return false;
  return e.name === 'AbortError' || e.name === 'APIUserAbortError' || e.name === 'CancelledError';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** One line for a person: FingerError.describe(), else the message, never a stack. */
export function describeError(e: unknown): string {
  if (e instanceof FingerError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}
