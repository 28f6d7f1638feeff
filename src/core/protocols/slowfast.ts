// Q-Save's SlowFast sampling: a few high-resolution "slow" frames for spatial detail plus many
// low-resolution "fast" frames for motion (qsave.ts samples the video with these numbers).
/** SlowFast sampling (numbers are ours; the paper gives the idea, not released settings). */
export interface SlowFastOptions {
  /** High-resolution frames spread evenly over the clip. */
  slowFrames: number;
  /** Pixels per slow frame (the judge's usual maxPixels). */
  slowMaxPixels: number;
  /** Frames per second for the fast pathway, capped by fastMaxFrames. */
  fastFps: number;
  fastMaxFrames: number;
  /** Pixels per fast frame: a quarter of the slow frames' area (half the width and height). */
  fastMaxPixels: number;
}

export function defaultSlowFast(maxPixels: number, fps: number): SlowFastOptions {
  return {
    slowFrames: 4,
    slowMaxPixels: maxPixels,
    fastFps: Math.max(fps, 4),
    fastMaxFrames: 32,
    fastMaxPixels: Math.max(4, Math.floor(maxPixels / 4)),
  };
}
