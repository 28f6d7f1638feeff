// zod issues as one line a person can act on: `questions[3].dimension: Invalid option: …`.
import type { z } from 'zod';

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

/** The first few issues, "path: message; path: message". */
export function formatZodError(error: z.ZodError, maxIssues = 3): string {
  const shown = error.issues.slice(0, maxIssues).map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}
