// Each protocol's own aggregate: the dimension scores and the overall score of a result from its
// questions. The store calls it (saveResultSafely's `rescore`) when it has filled failed questions
// from the saved result, so every protocol's file is written once, with its own overall:
// - FingER: Eq. 3–4 with the configured dimension weights (docs/ARCHITECTURE.md, "The FingER method");
// - VideoScore2: the plain mean of its three normalised ratings (equal weights; the paper's, not
//   the FingER weights in the settings);
// - Q-Save: the MOS of the reply, not the mean of the three dimensions. When the reply had no
//   readable MOS: the saved result's overall if every dimension of the reply failed (all answers
//   are then the saved ones, so its MOS still holds), else the mean.
import { scoreDimensions } from '../scoring/finger';
import type { Rescore } from '../store/results';
import type { Dimension, Protocol } from '../types';

export type { Rescore, RescoreContext } from '../store/results';

export interface AggregateOptions {
  /** FingER only: weights of the dimensions in the overall (default 1 each). */
  weights?: Partial<Record<Dimension, number>>;
  /** Q-Save only: the reply's MOS normalised to [0, 1], or null when it could not be read. */
  mos?: number | null;
}

/** The recompute the store uses for a result of `protocol` after merging. */
export function rescoreFor(protocol: Protocol, options: AggregateOptions = {}): Rescore {
  switch (protocol) {
    case 'finger': {
      const weights = { ...options.weights };
      return (merged) => scoreDimensions(merged.questions, weights);
    }
    case 'videoscore2':
    case 'signals':
      return (merged) => scoreDimensions(merged.questions);
    case 'qsave': {
      const mos = options.mos ?? null;
      return (merged, { previous, next }) => {
        const scored = scoreDimensions(merged.questions);
        if (mos !== null) return { dimensions: scored.dimensions, overall: mos };
        const replyFailed = next.questions.every((q) => q.error !== null);
        const saved = replyFailed && previous.protocol === 'qsave' ? previous.overall : null;
        return { dimensions: scored.dimensions, overall: saved ?? scored.overall };
      };
    }
  }
}
