// Number and date formatting shared by both panels (scores themselves: formatScore in src/shared/model.ts).
import { FAIL_THRESHOLD } from '../../src/shared/model';

export function percent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

export function scoreClass(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'score-none';
  if (value < FAIL_THRESHOLD) return 'score-bad';
  if (value < 0.75) return 'score-mid';
  return 'score-good';
}

/** Local date and time as `YYYY-MM-DD HH:MM` (unambiguous in every locale). Deliberately not
 *  Intl: the first Intl formatter of a webview process initialises ICU, about 30 ms on the
 *  panel's first render. */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function seconds(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} s`;
}

export function baseName(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash >= 0 ? relPath.slice(slash + 1) : relPath;
}
