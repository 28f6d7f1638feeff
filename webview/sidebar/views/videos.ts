// Every scored video of the workspace, filterable and sortable; a click opens its results panel.
import { DIMENSION_LABELS, DIMENSION_SHORT, DIMENSIONS, formatScore } from '../../../src/shared/model';
import type { SortKey } from '../../../src/shared/protocols/sidebar';
import { el, icon } from '../../common/dom';
import { baseName, dateTime, scoreClass } from '../../common/format';
import { scoreBar } from '../../common/widgets';
import { asSortKey, type Derived, type State } from '../state';
import { sidebarSection } from './section';

export class VideosView {
  private readonly filter = el('vscode-textfield', {
    className: 'videos-filter',
    attrs: { placeholder: 'Filter videos', 'aria-label': 'Filter videos' },
  });
  private readonly sort = el('vscode-single-select', { className: 'videos-sort', attrs: { 'aria-label': 'Sort videos' } });
  private readonly count = el('span', { className: 'section-count' });
  private readonly list = el('ul', { className: 'videos', attrs: { 'aria-label': 'Scored videos' } });
  readonly element = sidebarSection(
    'videos',
    { text: 'Scored videos', icon: 'list-flat', extra: this.count },
    el('div', { className: 'videos-toolbar' }, this.filter, this.sort),
    this.list,
  );

  constructor(actions: { openResults(relPath: string): void; filter(text: string): void; sort(key: SortKey): void }) {
    this.filter.append(el('vscode-icon', { attrs: { slot: 'content-before', name: 'filter', 'aria-hidden': 'true' } }));
    this.sort.append(
      el('vscode-option', { attrs: { value: 'name' } }, 'Name'),
      el('vscode-option', { attrs: { value: 'overall-asc' } }, 'Overall ↑ (worst first)'),
      el('vscode-option', { attrs: { value: 'overall-desc' } }, 'Overall ↓ (best first)'),
      el('vscode-option', { attrs: { value: 'date' } }, 'Newest first'),
    );
    this.filter.addEventListener('input', () => actions.filter(this.filter.value));
    this.sort.addEventListener('change', () => actions.sort(asSortKey(this.sort.value)));
    this.list.addEventListener('click', (event) => {
      const item = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-rel-path]');
      if (item?.dataset['relPath'] !== undefined) actions.openResults(item.dataset['relPath']);
    });
  }

  render(state: State, { rows }: Derived): void {
    this.filter.value = state.filter;
    this.sort.value = state.sort;
    this.count.textContent = state.filter.trim() ? `${rows.length} / ${state.videos.length}` : String(state.videos.length);
    const fragment = document.createDocumentFragment();
    for (const row of rows) {
      const dims = el('span', { className: 'video-dims' });
      for (const d of DIMENSIONS) {
        const value = row.dimensions[d] ?? null;
        dims.append(
          el(
            'span',
            { className: 'video-dim', title: `${DIMENSION_LABELS[d]}: ${formatScore(value)}`, dataset: { dimension: d } },
            el('span', { className: 'video-dim-label' }, DIMENSION_SHORT[d]),
            scoreBar(value),
          ),
        );
      }
      const folder = row.relPath.includes('/') ? row.relPath.slice(0, row.relPath.lastIndexOf('/')) : '';
      fragment.append(
        el(
          'li',
          null,
          el(
            'button',
            {
              className: `video${row.error ? ' has-error' : ''}`,
              dataset: { relPath: row.relPath },
              title: `Open the results of ${row.relPath}`,
            },
            el(
              'span',
              { className: 'video-line' },
              row.error ? icon('error', 'video-error-icon') : icon('device-camera-video'),
              el('span', { className: 'video-name' }, baseName(row.relPath)),
              el('span', { className: `score-pill ${scoreClass(row.overall)}`, dataset: { role: 'overall' } }, formatScore(row.overall)),
            ),
            el(
              'span',
              { className: 'video-sub' },
              folder ? el('span', { className: 'video-folder' }, folder) : null,
              el('span', { className: 'video-date' }, dateTime(row.createdAt)),
            ),
            dims,
            row.error ? el('span', { className: 'video-error' }, row.error) : null,
          ),
        ),
      );
    }
    if (rows.length === 0) {
      fragment.append(
        el(
          'li',
          { className: 'empty-note' },
          state.videos.length === 0
            ? 'No scored videos yet. Right-click a video in the Explorer → “FingER: Score Video”.'
            : 'No video matches the filter.',
        ),
      );
    }
    this.list.replaceChildren(fragment);
  }
}
