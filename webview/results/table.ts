// The questions table: grouped by dimension, then entity; one row per question with the answer,
// P(yes) bar, score, the model's reason and override controls. Built once per full render with a
// DocumentFragment; a live answer replaces just its own row. Filters toggle `hidden` on rows that
// already exist instead of rebuilding. It is an ARIA table of CSS-grid rows rather than a <table>:
// table layout is computed for every row at once, while each dimension group here can use
// `content-visibility: auto`, so only the groups on screen are laid out (200 rows stay fast).
import { DIMENSION_LABELS, DIMENSIONS, type Answer, type Dimension, type DimensionScore } from '../../src/core/types';
import type { DisplayedQuestion } from '../../src/shared/display';
import { el, icon } from '../common/dom';
import { FAIL_THRESHOLD, score, scoreClass } from '../common/format';

export interface TableFilters {
  failingOnly: boolean;
  /** '' = all dimensions. */
  dimension: Dimension | '';
  /** '' = all entities. */
  entity: string;
  /** Case-insensitive text match on question, entity and reason. */
  text: string;
}

export const NO_FILTERS: TableFilters = { failingOnly: false, dimension: '', entity: '', text: '' };

export interface TableActions {
  override(question: DisplayedQuestion, answer: Answer | null, note: string | undefined): void;
}

interface Group {
  body: HTMLDivElement;
  header: HTMLDivElement;
  entityHeaders: Map<string, HTMLDivElement>;
}

export function isFailing(q: Pick<DisplayedQuestion, 'score'>): boolean {
  return q.score !== null && q.score < FAIL_THRESHOLD;
}

export class QuestionTable {
  readonly element: HTMLDivElement;
  private readonly rows = new Map<string, HTMLDivElement>();
  private readonly questions = new Map<string, DisplayedQuestion>();
  private readonly groups = new Map<Dimension, Group>();
  private filters: TableFilters = NO_FILTERS;
  /** Lower-cased searchable text per question id, computed once per row build. */
  private readonly haystacks = new Map<string, string>();

  constructor(private readonly actions: TableActions) {
    this.element = el(
      'div',
      { className: 'questions', attrs: { role: 'table', 'aria-label': 'Questions and answers' } },
      el(
        'div',
        { className: 'questions-head', attrs: { role: 'row' } },
        el('div', { className: 'col-question', attrs: { role: 'columnheader' } }, 'Question'),
        el('div', { className: 'col-answer', attrs: { role: 'columnheader' } }, 'Answer'),
        el('div', { className: 'col-prob', attrs: { role: 'columnheader' }, title: 'Probability of “Yes” from the answer token' }, 'P(yes)'),
        el('div', { className: 'col-score', attrs: { role: 'columnheader' } }, 'Score'),
        el('div', { className: 'col-override', attrs: { role: 'columnheader' } }, 'Override'),
      ),
    );
    // One delegated listener for every row's buttons.
    this.element.addEventListener('click', (event) => this.onClick(event));
    this.element.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement;
      if (event.key === 'Enter' && target.matches('input.note-input')) this.saveNote(target as HTMLInputElement);
      if (event.key === 'Escape' && target.matches('input.note-input')) target.closest('.note-editor')?.remove();
    });
  }

  /** Full render: every group and row from scratch. */
  render(questions: readonly DisplayedQuestion[], dimensions: Partial<Record<Dimension, DimensionScore>>): void {
    const openReasons = new Set([...this.rows].filter(([, row]) => row.querySelector('details')?.open).map(([id]) => id));
    for (const group of this.groups.values()) group.body.remove();
    this.rows.clear();
    this.questions.clear();
    this.groups.clear();
    this.haystacks.clear();

    const fragment = document.createDocumentFragment();
    for (const dimension of DIMENSIONS) {
      const inDimension = questions.filter((q) => q.dimension === dimension);
      if (inDimension.length === 0) continue;
      const header = el('div', { className: 'dimension-row', attrs: { role: 'row' } });
      const body = el('div', { className: 'dimension-group', dataset: { dimension }, attrs: { role: 'rowgroup' } }, header);
      const group: Group = { body, header, entityHeaders: new Map() };
      const byEntity = new Map<string, DisplayedQuestion[]>();
      for (const q of inDimension) {
        const list = byEntity.get(q.entity);
        if (list) list.push(q);
        else byEntity.set(q.entity, [q]);
      }
      for (const [entity, list] of byEntity) {
        const entityRow = el(
          'div',
          { className: 'entity-row', dataset: { entity }, attrs: { role: 'row' } },
          el('div', { attrs: { role: 'rowheader' } }, icon('symbol-field'), ' ', entity || '(whole video)'),
        );
        group.entityHeaders.set(entity, entityRow);
        body.appendChild(entityRow);
        for (const q of list) {
          const row = this.buildRow(q, openReasons.has(q.id));
          body.appendChild(row);
        }
      }
      this.groups.set(dimension, group);
      this.fillDimensionHeader(dimension, dimensions[dimension]);
      fragment.appendChild(body);
    }
    this.element.appendChild(fragment);
    this.applyFilters(this.filters);
  }

  /** Replaces one row in place. Returns false when the question has no row yet (a full render is
   *  needed to place it in its group). */
  updateQuestion(q: DisplayedQuestion): boolean {
    const old = this.rows.get(q.id);
    if (!old || old.dataset['dimension'] !== q.dimension || old.dataset['entity'] !== q.entity) return false;
    const row = this.buildRow(q, old.querySelector('details')?.open ?? false);
    const editor = old.querySelector('.note-editor');
    if (editor) row.querySelector('.col-question')?.appendChild(editor);
    old.replaceWith(row);
    row.hidden = !this.matches(q);
    this.refreshGroupVisibility(q.dimension);
    return true;
  }

  updateDimensionHeaders(dimensions: Partial<Record<Dimension, DimensionScore>>): void {
    for (const dimension of this.groups.keys()) this.fillDimensionHeader(dimension, dimensions[dimension]);
  }

  hasQuestion(id: string): boolean {
    return this.rows.has(id);
  }

  entities(): string[] {
    return [...new Set([...this.questions.values()].map((q) => q.entity))].sort((a, b) => a.localeCompare(b));
  }

  applyFilters(filters: TableFilters): void {
    this.filters = filters;
    for (const [id, row] of this.rows) {
      const q = this.questions.get(id);
      row.hidden = !q || !this.matches(q);
    }
    for (const dimension of this.groups.keys()) this.refreshGroupVisibility(dimension);
  }

  visibleCount(): number {
    let n = 0;
    for (const row of this.rows.values()) if (!row.hidden) n++;
    return n;
  }

  private matches(q: DisplayedQuestion): boolean {
    const f = this.filters;
    if (f.dimension && q.dimension !== f.dimension) return false;
    if (f.entity && q.entity !== f.entity) return false;
    if (f.failingOnly && !isFailing(q)) return false;
    if (f.text && !(this.haystacks.get(q.id) ?? '').includes(f.text.toLowerCase())) return false;
    return true;
  }

  private refreshGroupVisibility(dimension: Dimension): void {
    const group = this.groups.get(dimension);
    if (!group) return;
    let anyInGroup = false;
    for (const header of group.entityHeaders.values()) {
      let any = false;
      for (let row = header.nextElementSibling; row && !row.classList.contains('entity-row'); row = row.nextElementSibling) {
        if (!(row as HTMLElement).hidden) {
          any = true;
          break;
        }
      }
      header.hidden = !any;
      anyInGroup ||= any;
    }
    group.body.hidden = !anyInGroup;
  }

  private fillDimensionHeader(dimension: Dimension, scoreOf: DimensionScore | undefined): void {
    const group = this.groups.get(dimension);
    if (!group) return;
    const asked = [...this.questions.values()].filter((q) => q.dimension === dimension);
    const failing = asked.filter(isFailing).length;
    const value = scoreOf?.score ?? null;
    const cell = el(
      'div',
      { attrs: { role: 'rowheader' } },
      el(
        'div',
        { className: 'dimension-heading' },
        el('span', { className: 'dimension-name' }, DIMENSION_LABELS[dimension]),
        el('span', { className: `score-pill ${scoreClass(value)}`, dataset: { role: 'dimension-score' } }, score(value)),
        el('span', { className: 'dimension-counts' }, `${asked.length} question${asked.length === 1 ? '' : 's'}`),
        failing > 0 ? el('span', { className: 'failing-count' }, icon('warning'), ` ${failing} failing`) : null,
      ),
    );
    group.header.replaceChildren(cell);
  }

  private buildRow(q: DisplayedQuestion, reasonOpen: boolean): HTMLDivElement {
    this.questions.set(q.id, q);
    this.haystacks.set(q.id, `${q.text}\n${q.entity}\n${q.reason ?? ''}\n${q.overridden?.note ?? ''}`.toLowerCase());
    const pending = q.answer === null && q.error === null;
    const classes = ['question-row'];
    if (isFailing(q)) classes.push('failing');
    if (q.overridden) classes.push('overridden');
    if (pending) classes.push('pending');
    if (q.error !== null) classes.push('errored');

    const questionCell = el(
      'div',
      { className: 'col-question', attrs: { role: 'cell' } },
      el('div', { className: 'q-text' }, q.text),
      q.polarity === 'negative'
        ? el('span', { className: 'chip polarity', title: 'Negative question: “No” is the good answer' }, 'No = good')
        : null,
      q.probabilitySource === 'sampled'
        ? el('span', { className: 'chip sampled', title: 'No Yes/No token in the top log-probabilities: the sampled answer counts as certain' }, 'sampled')
        : null,
      q.reason
        ? el(
            'details',
            { className: 'reason', attrs: { open: reasonOpen } },
            el('summary', null, 'Reason'),
            el('p', { className: 'reason-text' }, q.reason),
          )
        : null,
      q.error !== null ? el('div', { className: 'q-error' }, icon('error'), ' ', q.error) : null,
      q.overridden?.note ? el('div', { className: 'q-note' }, icon('comment'), ' ', q.overridden.note) : null,
    );

    const answerCell = el('div', { className: 'col-answer', attrs: { role: 'cell' } });
    if (pending) answerCell.append(el('span', { className: 'answer answer-pending', title: 'Waiting for the model' }, icon('loading', 'codicon-modifier-spin'), ' …'));
    else if (q.answer === null) answerCell.append(el('span', { className: 'answer answer-error' }, 'Failed'));
    else {
      answerCell.append(el('span', { className: `answer answer-${q.answer.toLowerCase()}` }, q.answer));
      if (q.overridden) {
        answerCell.append(
          el(
            'span',
            {
              className: 'override-marker',
              title: `Overridden by you; the model answered ${q.overridden.modelAnswer ?? 'nothing'}`,
              dataset: { role: 'override-marker' },
            },
            icon('account'),
            ' override',
          ),
        );
      }
    }

    const modelPYes = q.overridden ? modelProbability(q) : q.pYes;
    const probCell = el('div', { className: 'col-prob', attrs: { role: 'cell' } });
    if (modelPYes !== null) {
      const fill = el('div', { className: 'prob-fill' });
      fill.style.width = `${(modelPYes * 100).toFixed(1)}%`; // CSSOM: allowed under the CSP
      probCell.append(
        el(
          'div',
          {
            className: 'prob',
            title: q.overridden ? `Model's P(yes) ${modelPYes.toFixed(3)}` : `P(yes) ${modelPYes.toFixed(3)}`,
          },
          el(
            'div',
            {
              className: 'prob-bar',
              attrs: { role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': modelPYes.toFixed(3), 'aria-label': 'P(yes)' },
            },
            fill,
          ),
          el('span', { className: 'prob-value' }, modelPYes.toFixed(2)),
        ),
      );
    }

    const scoreCell = el(
      'div',
      { className: 'col-score', attrs: { role: 'cell' } },
      el('span', { className: `score ${scoreClass(q.score)}`, dataset: { role: 'score' } }, score(q.score)),
      q.overridden && q.overridden.modelScore !== null
        ? el('span', { className: 'model-score', title: 'The model’s score before your override' }, score(q.overridden.modelScore))
        : null,
    );

    const current = q.overridden?.answer ?? null;
    const canOverride = !pending;
    const overrideCell = el(
      'div',
      { className: 'col-override', attrs: { role: 'cell' } },
      el(
        'div',
        { className: 'override', attrs: { role: 'group', 'aria-label': 'Override the answer' } },
        el(
          'button',
          {
            className: 'tool-btn',
            dataset: { action: 'override', answer: 'Yes' },
            title: 'Set the answer to Yes',
            attrs: { 'aria-pressed': current === 'Yes' ? 'true' : 'false', disabled: !canOverride },
          },
          'Yes',
        ),
        el(
          'button',
          {
            className: 'tool-btn',
            dataset: { action: 'override', answer: 'No' },
            title: 'Set the answer to No',
            attrs: { 'aria-pressed': current === 'No' ? 'true' : 'false', disabled: !canOverride },
          },
          'No',
        ),
        el(
          'button',
          {
            className: 'tool-btn icon-only',
            dataset: { action: 'clear' },
            title: 'Remove the override (back to the model’s answer)',
            attrs: { disabled: !q.overridden, 'aria-label': 'Remove override' },
          },
          icon('discard'),
        ),
        el(
          'button',
          {
            className: 'tool-btn icon-only',
            dataset: { action: 'note' },
            title: 'Add a note to the override',
            attrs: { disabled: !canOverride || (q.answer === null && !q.overridden), 'aria-label': 'Note' },
          },
          icon('comment'),
        ),
      ),
    );

    const row = el(
      'div',
      { className: classes.join(' '), dataset: { questionId: q.id, dimension: q.dimension, entity: q.entity }, attrs: { role: 'row' } },
      questionCell,
      answerCell,
      probCell,
      scoreCell,
      overrideCell,
    );
    this.rows.set(q.id, row);
    return row;
  }

  private onClick(event: MouseEvent): void {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.disabled) return;
    const row = button.closest<HTMLDivElement>('.question-row');
    const q = row && this.questions.get(row.dataset['questionId'] ?? '');
    if (!row || !q) return;
    const action = button.dataset['action'];
    if (action === 'override') {
      const answer = button.dataset['answer'] === 'Yes' ? 'Yes' : 'No';
      // Pressing the active override again removes it, like a toggle button.
      if (q.overridden?.answer === answer) this.actions.override(q, null, undefined);
      else this.actions.override(q, answer, q.overridden?.note);
    } else if (action === 'clear') {
      this.actions.override(q, null, undefined);
    } else if (action === 'note') {
      this.toggleNoteEditor(row, q);
    } else if (action === 'save-note') {
      const input = row.querySelector<HTMLInputElement>('input.note-input');
      if (input) this.saveNote(input);
    }
  }

  private toggleNoteEditor(row: HTMLDivElement, q: DisplayedQuestion): void {
    const existing = row.querySelector('.note-editor');
    if (existing) {
      existing.remove();
      return;
    }
    const input = el('input', {
      className: 'note-input',
      attrs: { type: 'text', placeholder: 'Why is the model wrong? (saved with the override)', 'aria-label': 'Override note', maxlength: 2000 },
    });
    input.value = q.overridden?.note ?? '';
    const editor = el(
      'div',
      { className: 'note-editor' },
      input,
      el('button', { className: 'tool-btn', dataset: { action: 'save-note' }, title: 'Save the note (Enter)' }, 'Save'),
    );
    row.querySelector('.col-question')?.appendChild(editor);
    input.focus();
  }

  private saveNote(input: HTMLInputElement): void {
    const row = input.closest<HTMLDivElement>('.question-row');
    const q = row && this.questions.get(row.dataset['questionId'] ?? '');
    if (!q) return;
    const answer = q.overridden?.answer ?? q.answer;
    if (!answer) return;
    const note = input.value.trim();
    input.closest('.note-editor')?.remove();
    this.actions.override(q, answer, note || undefined);
  }
}

/** The model's own P(yes) of an overridden question, recovered from its score and polarity. */
function modelProbability(q: DisplayedQuestion): number | null {
  const s = q.overridden?.modelScore;
  if (s === null || s === undefined) return null;
  return q.polarity === 'positive' ? s : 1 - s;
}
