// The plain constants of the FingER data model that every layer shows or checks: dimension ids and
// their labels, the fail threshold, score formatting, where things live under `.finger/`, and
// which files are videos. No zod and no Node APIs, so the webviews and the extension's activation
// path can import it (docs/ARCHITECTURE.md, "Layers": src/shared imports nothing of ours).

/** Stable dimension ids, used in files and settings (README, "How the scores are computed"). */
export const DIMENSIONS = ['visual_quality', 'temporal_consistency', 'dynamic_degree', 'text_alignment', 'factual_consistency'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export function isDimension(value: string): value is Dimension {
  return (DIMENSIONS as readonly string[]).includes(value);
}

export const DIMENSION_LABELS: Record<Dimension, string> = {
  visual_quality: 'Visual quality',
  temporal_consistency: 'Temporal consistency',
  dynamic_degree: 'Dynamic degree',
  text_alignment: 'Text alignment',
  factual_consistency: 'Factual consistency',
};

/** Two-letter labels where space is short (CodeLens, the side panel's video rows). */
export const DIMENSION_SHORT: Record<Dimension, string> = {
  visual_quality: 'VQ',
  temporal_consistency: 'TC',
  dynamic_degree: 'DD',
  text_alignment: 'TA',
  factual_consistency: 'FC',
};

export type Weights = Partial<Record<Dimension, number>>;

/** A question scoring below this failed: the answer went the "bad" way (the paper's decision
 *  boundary). Its entity is marked in the prompt file and its row in the panels. */
export const FAIL_THRESHOLD = 0.5;

export function isFailing(q: { score: number | null }): boolean {
  return q.score !== null && q.score < FAIL_THRESHOLD;
}

/** Scores are in [0, 1]; shown with two decimals like the paper's tables, `—` when there is none. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(2);
}

/** Where FingER keeps its files in a workspace folder, relative to its root, forward slashes
 *  (README, "Files in your workspace"). The results folder is a setting; this is its default. */
export const FINGER_PATHS = {
  root: '.finger',
  results: '.finger/results',
  labels: '.finger/labels',
  templates: '.finger/templates',
  cache: '.finger/cache',
} as const;

export const VIDEO_EXTENSIONS = ['mp4', 'mov', 'm4v', 'mkv', 'webm', 'avi'] as const;

export function isVideoPath(p: string): boolean {
  const dot = p.lastIndexOf('.');
  return dot >= 0 && (VIDEO_EXTENSIONS as readonly string[]).includes(p.slice(dot + 1).toLowerCase());
}
