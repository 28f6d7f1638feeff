// Small elements both panels build the same way.
import { scoreClass } from './format';
import { el } from './dom';

/** A horizontal bar of a score in [0, 1]; decorative (the number is shown beside it). */
export function scoreBar(value: number | null): HTMLElement {
  const fill = el('div', { className: `bar-fill ${scoreClass(value)}` });
  fill.style.width = `${((value ?? 0) * 100).toFixed(1)}%`;
  return el('div', { className: 'bar', attrs: { 'aria-hidden': 'true' } }, fill);
}
