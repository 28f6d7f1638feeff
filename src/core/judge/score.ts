// FingER Eq. 2: the entity-level score of one answered question.
import type { Polarity } from '../types';

/** `pYes` for a positive question ("Yes" = good video), `1 − pYes` for a negative one. */
export function entityScore(polarity: Polarity, pYes: number): number {
  return polarity === 'positive' ? pYes : 1 - pYes;
}
