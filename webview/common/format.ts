// Number and date formatting shared by both panels.
export function percent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/** Scores are in [0, 1]; shown with two decimals like the paper's tables. */
export function score(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(2);
}

/** Failing: the displayed score is below one half (the answer went the "bad" way). */
export const FAIL_THRESHOLD = 0.5;

export function scoreClass(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'score-none';
  if (value < FAIL_THRESHOLD) return 'score-bad';
  if (value < 0.75) return 'score-mid';
  return 'score-good';
}

// Creating an Intl formatter is costly (toLocaleString makes one per call); lists format many dates.
let dateFormat: Intl.DateTimeFormat | undefined;

export function dateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return dateFormat.format(date);
}

export function seconds(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} s`;
}

export function baseName(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash >= 0 ? relPath.slice(slash + 1) : relPath;
}
