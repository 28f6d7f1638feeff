// A small typed wrapper around child_process.spawn for ffmpeg and ffprobe: argument arrays only
// (never a shell, so file names are never interpreted), cancellation that really ends the child,
// and bounded memory for what the child prints.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { CancelledError, ConfigError, FingerError } from '../errors';

/** How much of stderr is kept: the tail is where ffmpeg says what went wrong. */
const STDERR_KEEP_BYTES = 64 * 1024;
/** After SIGTERM, how long a child gets to exit before SIGKILL. */
const KILL_GRACE_MS = 1500;

export const FFMPEG_INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: `apt install ffmpeg`, macOS: `brew install ffmpeg`, Windows: `winget install ffmpeg`) ' +
  'or point the `finger.ffmpegPath` setting (CLI: `--ffmpeg`) at the ffmpeg binary; ffprobe is looked up next to it.';

export interface RunProcessOptions {
  /** Aborting kills the child (SIGTERM, then SIGKILL) and rejects with CancelledError once it has exited. */
  signal?: AbortSignal;
  /** The child is killed and the call rejects when stdout grows beyond this. Default: unbounded. */
  maxStdoutBytes?: number;
  /**
   * Receives stdout as it arrives. When given, stdout is NOT collected (the result's `stdout` is
   * empty), so a large stream is never held twice. An exception thrown here kills the child and
   * rejects the call with that exception.
   */
  onStdout?: (chunk: Buffer) => void;
  /** Called once the child is running, with its process id (tests use it to check the child is gone). */
  onSpawn?: (pid: number) => void;
  /** What to tell the user when `command` does not exist. Default: how to install or configure ffmpeg. */
  notFoundHint?: string;
}

export interface ProcessResult {
  stdout: Buffer;
  /** The last ~64 KB of stderr, decoded as UTF-8. */
  stderr: string;
  /** Exit code; 128 + signal number when the child was killed by a signal it was not sent by us. */
  code: number;
}

/** Runs `command` with `args` (no shell) and resolves when it exits, whatever its exit code. */
export function runProcess(command: string, args: string[], opts: RunProcessOptions = {}): Promise<ProcessResult> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(new CancelledError());

  return new Promise<ProcessResult>((resolvePromise, rejectPromise) => {
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrChunks: Buffer[] = [];
    let stderrBytes = 0;
    /** Why we are ending the child early; decides how the call rejects once it has exited. */
    let failure: unknown;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const child = spawn(command, args, {
      shell: false,
      // No stdin: ffmpeg would otherwise read keys (such as 'q') from the terminal.
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });

    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };

    const kill = (why: unknown): void => {
      failure ??= why;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, KILL_GRACE_MS);
      killTimer.unref();
    };

    function onAbort(): void {
      kill(new CancelledError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    child.once('spawn', () => {
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    });

    child.stdout.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      stdoutBytes += chunk.length;
      if (opts.maxStdoutBytes !== undefined && stdoutBytes > opts.maxStdoutBytes) {
        kill(
          new FingerError(`${command} produced more than ${opts.maxStdoutBytes} bytes of output; stopped it.`, {
            hint: 'This is a bug or a very unusual file; please report it with the file.',
          }),
        );
        return;
      }
      if (opts.onStdout) {
        try {
          opts.onStdout(chunk);
        } catch (e) {
          kill(e);
        }
      } else {
        stdoutChunks.push(chunk);
      }
    });

    child.stderr.on('data', (chunk: Buffer) => {
      stderrChunks.push(chunk);
      stderrBytes += chunk.length;
      if (stderrBytes > 2 * STDERR_KEEP_BYTES) {
        const tail = Buffer.concat(stderrChunks).subarray(-STDERR_KEEP_BYTES);
        stderrChunks = [tail];
        stderrBytes = tail.length;
      }
    });

    child.once('error', (err: NodeJS.ErrnoException) => {
      // 'error' without a running child: it could not be started at all.
      if (child.pid !== undefined && err.code !== 'ENOENT' && err.code !== 'EACCES') {
        kill(err);
        return;
      }
      finish(() => rejectPromise(startError(command, err, opts.notFoundHint ?? FFMPEG_INSTALL_HINT)));
    });

    // 'close' comes after the child has exited AND its pipes are drained, so every byte of
    // stdout has been delivered when we resolve.
    child.once('close', (code, sig) => {
      finish(() => {
        if (failure !== undefined) {
          rejectPromise(failure);
          return;
        }
        let stderr = Buffer.concat(stderrChunks);
        if (stderr.length > STDERR_KEEP_BYTES) stderr = stderr.subarray(-STDERR_KEEP_BYTES);
        resolvePromise({
          stdout: Buffer.concat(stdoutChunks),
          stderr: stderr.toString('utf8'),
          code: code ?? 128 + signalNumber(sig),
        });
      });
    });
  });
}

function startError(command: string, err: NodeJS.ErrnoException, hint: string): Error {
  if (err.code === 'ENOENT') {
    return new ConfigError(`${command} was not found.`, { file: command, hint, cause: err });
  }
  if (err.code === 'EACCES') {
    return new ConfigError(`${command} cannot be run (permission denied).`, {
      file: command,
      hint: `Make it executable (chmod +x) or point the setting at a working binary. ${hint}`,
      cause: err,
    });
  }
  return new FingerError(`Could not start ${command}: ${err.message}`, { file: command, hint, cause: err });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig ? (osConstants.signals[sig] ?? 0) : 0;
}
