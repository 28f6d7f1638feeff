// A Logger that keeps what it is told, for tests that check what was logged (and what was not).
import type { Logger } from '../../src/core/log';

export interface RecordingLogger extends Logger {
  /** Every message of every level, with its arguments, in order. */
  lines: string[];
  /** The warnings only. */
  warnings: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const warnings: string[] = [];
  const text = (m: unknown, args: unknown[]) => [m, ...args].map((x) => (x instanceof Error ? x.message : String(x))).join(' ');
  const put = (m: unknown, ...args: unknown[]) => void lines.push(text(m, args));
  return {
    lines,
    warnings,
    trace: put,
    debug: put,
    info: put,
    warn: (m: string, ...args: unknown[]) => {
      put(m, ...args);
      warnings.push(text(m, args));
    },
    error: put,
  };
}
