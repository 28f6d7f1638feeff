// FingER scores (Chen et al. 2025, Eq. 1–4). The functions live in src/shared/scoring.ts, where
// the extension computes displayed scores with the same code; the engine imports them from here.
export {
  applyOverride,
  applyOverrides,
  entityScore,
  questionKey,
  scoreDimensions,
  type DisplayedQuestion,
  type OverrideChange,
  type ScoredDimensions,
} from '../../shared/scoring';
