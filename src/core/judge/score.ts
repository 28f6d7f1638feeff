// FingER Eq. 2 lives with the other formulas in scoring/finger.ts; re-exported for the judge.
export { entityScore } from '../scoring/finger';
