// The video of the active editor: its name (a click opens its results), overall and dimension
// scores, then each entity's questions with answer, probability and reason, searchable.
import type { DisplayedQuestion } from '../../../src/shared/display';
import { DIMENSION_LABELS, DIMENSIONS, formatScore, isFailing } from '../../../src/shared/model';
import { append, el, icon } from '../../common/dom';
import { baseName, dateTime, percent, scoreClass } from '../../common/format';
import { scoreBar } from '../../common/widgets';
import type { Derived, State } from '../state';
import { sidebarSection } from './section';

export class DetailsView {
  private readonly head = el('div', { className: 'details-head' });
  private readonly dims = el('ul', { className: 'mini-dimensions', attrs: { 'aria-label': 'Dimension scores' } });
  private readonly search = el('vscode-textfield', {
    className: 'details-search',
    attrs: { placeholder: 'Search questions and reasons', 'aria-label': 'Search questions' },
  });
  private readonly body = el('div', { className: 'details-body' });
  readonly element = sidebarSection(
    'details',
    { text: 'Current video', icon: 'device-camera-video' },
    this.head,
    this.dims,
    this.search,
    this.body,
  );

  constructor(
    private readonly openResults: (relPath: string) => void,
    onSearch: (text: string) => void,
  ) {
    this.search.append(el('vscode-icon', { attrs: { slot: 'content-before', name: 'search', 'aria-hidden': 'true' } }));
    this.search.addEventListener('input', () => onSearch(this.search.value));
  }

  render(state: State, derived: Derived): void {
    const details = state.details;
    const shown = details?.displayed ?? null;
    const header = details?.header ?? null;
    this.search.value = state.search;
    if (!details?.target) {
      this.head.replaceChildren(el('p', { className: 'empty-note' }, 'Open a video or its prompt file to see its FingER scores here.'));
      this.dims.hidden = true;
      this.search.hidden = true;
      this.body.replaceChildren();
      return;
    }
    const target = details.target;
    const open = el(
      'button',
      { className: 'link-btn', title: `Open the results of ${target.videoRelPath}` },
      icon('device-camera-video'),
      ' ',
      el('span', { className: 'details-name' }, baseName(target.videoRelPath)),
    );
    open.addEventListener('click', () => this.openResults(target.videoRelPath));
    this.head.replaceChildren();
    append(this.head, [
      el(
        'div',
        { className: 'details-title' },
        open,
        shown
          ? el(
              'span',
              { className: `score-pill ${scoreClass(shown.overall)}`, dataset: { role: 'overall' }, title: 'Overall score' },
              formatScore(shown.overall),
            )
          : null,
      ),
      header ? el('div', { className: 'details-meta' }, `${header.model} · ${dateTime(header.createdAt)}`) : null,
      shown ? null : el('p', { className: 'empty-note' }, 'Not scored yet. Right-click the video and choose “FingER: Score Video”.'),
    ]);
    this.dims.hidden = !shown;
    this.search.hidden = !shown;
    if (!shown) {
      this.body.replaceChildren();
      return;
    }
    const dimsFragment = document.createDocumentFragment();
    for (const d of DIMENSIONS) {
      const value = shown.dimensions[d]?.score ?? null;
      dimsFragment.append(
        el(
          'li',
          { className: 'mini-dimension', dataset: { dimension: d }, title: `${DIMENSION_LABELS[d]}: ${formatScore(value)}` },
          el('span', { className: 'mini-label' }, DIMENSION_LABELS[d]),
          scoreBar(value),
          el('span', { className: `mini-value ${scoreClass(value)}` }, formatScore(value)),
        ),
      );
    }
    this.dims.replaceChildren(dimsFragment);

    const fragment = document.createDocumentFragment();
    for (const [entity, questions] of derived.byEntity) {
      const failing = questions.filter(isFailing).length;
      const list = el('ul', { className: 'entity-questions' });
      for (const q of questions) list.append(questionItem(q));
      fragment.append(
        el(
          'div',
          { className: 'entity', dataset: { entity } },
          el(
            'h3',
            { className: 'entity-name' },
            icon('symbol-field'),
            el('span', null, entity || '(whole video)'),
            failing ? el('span', { className: 'failing-count', title: `${failing} failing` }, icon('warning'), ` ${failing}`) : null,
          ),
          list,
        ),
      );
    }
    this.body.replaceChildren(fragment);
    this.applySearch(state.search);
  }

  /** Hides the questions (and entities) that do not match; says so when none does. */
  applySearch(search: string): void {
    const needle = search.trim().toLowerCase();
    let visible = 0;
    for (const entity of this.body.querySelectorAll<HTMLElement>('.entity')) {
      let any = false;
      for (const item of entity.querySelectorAll<HTMLElement>('li.q')) {
        const match = !needle || (item.dataset['search'] ?? '').includes(needle);
        item.hidden = !match;
        if (match) {
          any = true;
          visible++;
        }
      }
      entity.hidden = !any;
    }
    let none = this.body.querySelector('.no-match');
    if (visible === 0 && needle && this.body.querySelector('.entity')) {
      none ??= this.body.appendChild(el('p', { className: 'empty-note no-match' }, ''));
      none.textContent = `No question matches “${search}”.`;
    } else none?.remove();
  }
}

function questionItem(q: DisplayedQuestion): HTMLLIElement {
  const answer = q.answer
    ? el('span', { className: `answer answer-${q.answer.toLowerCase()}` }, q.answer)
    : el('span', { className: 'answer answer-error', title: q.error ?? 'Not answered' }, q.error ? 'Failed' : '…');
  return el(
    'li',
    {
      className: `q${isFailing(q) ? ' failing' : ''}${q.overridden ? ' overridden' : ''}`,
      dataset: { questionId: q.id, search: `${q.text}\n${q.reason ?? ''}\n${q.entity}\n${DIMENSION_LABELS[q.dimension]}`.toLowerCase() },
    },
    el(
      'div',
      { className: 'q-line' },
      answer,
      el('span', { className: 'q-text' }, q.text),
      el(
        'span',
        { className: `q-prob ${scoreClass(q.score)}`, title: `P(yes) ${percent(q.pYes, 1)} · score ${formatScore(q.score)}` },
        percent(q.pYes),
      ),
    ),
    el(
      'div',
      { className: 'q-sub' },
      el('span', { className: 'q-dim' }, DIMENSION_LABELS[q.dimension]),
      q.overridden
        ? el(
            'span',
            { className: 'override-marker', title: `Overridden by you; the model answered ${q.overridden.modelAnswer ?? 'nothing'}` },
            icon('account'),
            ' override',
          )
        : null,
    ),
    q.reason
      ? el('details', { className: 'reason' }, el('summary', null, 'Reason'), el('p', { className: 'reason-text' }, q.reason))
      : null,
    q.error ? el('div', { className: 'q-error' }, q.error) : null,
  );
}
