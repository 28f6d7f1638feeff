// The five dimensions beside the radar: label, score, bar and how many questions were answered
// and failed.
import { DIMENSION_LABELS, DIMENSIONS, formatScore, isFailing } from '../../../src/shared/model';
import { el } from '../../common/dom';
import { scoreClass } from '../../common/format';
import { scoreBar } from '../../common/widgets';
import type { Derived } from '../state';

export class DimensionsView {
  readonly element = el('ul', { className: 'dimension-list', attrs: { 'aria-label': 'Dimension scores' } });

  render({ displayed }: Derived): void {
    const fragment = document.createDocumentFragment();
    for (const d of DIMENSIONS) {
      const dim = displayed.dimensions[d];
      const value = dim?.score ?? null;
      const asked = displayed.questions.filter((q) => q.dimension === d);
      const failing = asked.filter(isFailing).length;
      fragment.append(
        el(
          'li',
          { className: `dimension-item${dim ? '' : ' unscored'}`, dataset: { dimension: d } },
          el('span', { className: 'dimension-label' }, DIMENSION_LABELS[d]),
          el('span', { className: `dimension-score ${scoreClass(value)}`, dataset: { role: 'dimension-score' } }, formatScore(value)),
          scoreBar(value),
          el(
            'span',
            { className: 'dimension-detail' },
            asked.length === 0 ? 'no questions' : `${dim?.count ?? 0}/${asked.length} answered${failing ? ` · ${failing} failing` : ''}`,
          ),
        ),
      );
    }
    this.element.replaceChildren(fragment);
  }
}
