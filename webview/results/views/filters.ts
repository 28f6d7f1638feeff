// The toolbar above the questions table: text, dimension, entity and failing-only filters, and how
// many questions are shown.
import { DIMENSION_LABELS, DIMENSIONS, isDimension } from '../../../src/shared/model';
import { el } from '../../common/dom';
import type { TableFilters } from '../state';

export class FiltersView {
  private readonly search = el('vscode-textfield', {
    className: 'filter-text',
    attrs: { placeholder: 'Filter questions and reasons', 'aria-label': 'Filter questions' },
  });
  private readonly dimension = el('vscode-single-select', { className: 'filter-dimension', attrs: { 'aria-label': 'Dimension' } });
  private readonly entity = el('vscode-single-select', { className: 'filter-entity', attrs: { 'aria-label': 'Entity' } });
  private readonly failing = el('vscode-checkbox', { className: 'filter-failing', attrs: { label: 'Failing only' } });
  private readonly count = el('span', { className: 'visible-count', attrs: { 'aria-live': 'polite' } });
  readonly element = el(
    'div',
    { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Filters' } },
    this.search,
    this.dimension,
    this.entity,
    this.failing,
    el('span', { className: 'spacer' }),
    this.count,
  );
  private entityOptionsKey = '';

  constructor(current: () => TableFilters, onChange: (filters: TableFilters) => void) {
    this.search.append(el('vscode-icon', { attrs: { slot: 'content-before', name: 'filter', 'aria-hidden': 'true' } }));
    this.dimension.append(
      el('vscode-option', { attrs: { value: '' } }, 'All dimensions'),
      ...DIMENSIONS.map((d) => el('vscode-option', { attrs: { value: d } }, DIMENSION_LABELS[d])),
    );
    this.search.addEventListener('input', () => onChange({ ...current(), text: this.search.value }));
    this.dimension.addEventListener('change', () =>
      onChange({ ...current(), dimension: isDimension(this.dimension.value) ? this.dimension.value : '' }),
    );
    this.entity.addEventListener('change', () => onChange({ ...current(), entity: this.entity.value }));
    this.failing.addEventListener('change', () => onChange({ ...current(), failingOnly: this.failing.checked }));
  }

  /** The entity options of the shown questions, and the controls set to `filters`. Returns the
   *  filters to use: an entity no longer asked about is dropped. */
  render(entities: readonly string[], filters: TableFilters): TableFilters {
    const key = entities.join('\u0000');
    if (key !== this.entityOptionsKey) {
      this.entityOptionsKey = key;
      this.entity.replaceChildren(
        el('vscode-option', { attrs: { value: '' } }, 'All entities'),
        ...entities.map((e) => el('vscode-option', { attrs: { value: e } }, e || '(whole video)')),
      );
    }
    const f = filters.entity && !entities.includes(filters.entity) ? { ...filters, entity: '' } : filters;
    // Only on change: each assignment re-renders the component, and the select measures itself
    // (a forced layout of the whole page) when it renders.
    if (this.search.value !== f.text) this.search.value = f.text;
    if (this.dimension.value !== f.dimension) this.dimension.value = f.dimension;
    if (this.entity.value !== f.entity) this.entity.value = f.entity;
    if (this.failing.checked !== f.failingOnly) this.failing.checked = f.failingOnly;
    return f;
  }

  renderCount(visible: number, total: number): void {
    this.count.textContent = visible === total ? `${total} question${total === 1 ? '' : 's'}` : `Showing ${visible} of ${total}`;
  }
}
