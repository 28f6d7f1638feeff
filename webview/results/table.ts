// The questions table: grouped by dimension, then entity; one row per question with the answer,
// P(yes) bar, score, the model's reason and override controls. Built once per full render with a
// DocumentFragment; a live answer replaces just its own row. Filters toggle `hidden` on rows that
// already exist instead of rebuilding. It is an ARIA table of CSS-grid rows rather than a <table>:
// table layout is computed for every row at once, while each dimension group here can use
// `content-visibility: auto`, so only the groups on screen are laid out (200 rows stay fast).
import { DIMENSION_LABELS, DIMENSIONS, formatScore as score, isFailing, type Dimension } from '../../src/shared/model';
import type { DisplayedQuestion } from '../../src/shared/display';
import type { TableFilters } from '../../src/shared/protocols/results';
import type { Answer, DimensionScore } from '../../src/shared/schemas';
import { el, icon } from '../common/dom';
import { scoreClass } from '../common/format';

export type { TableFilters };

export const NO_FILTERS: TableFilters = { failingOnly: false, dimension: '', entity: '', text: '' };

export interface TableActions {
  override(question: DisplayedQuestion, answer: Answer | null, note: string | undefined): void;
}

interface Group {
  body: HTMLDivElement;
  header: HTMLDivElement;
  entityHeaders: Map<string, HTMLDivElement>;
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
        el(
          'div',
          { className: 'col-prob', attrs: { role: 'columnheader' }, title: 'Probability of “Yes” from the answer token' },
          'P(yes)',
        ),
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

  /** One row. The fixed structure is cloned from a template (one native cloneNode instead of ~20
   *  createElement/setAttribute calls); the question's own strings are then set as text or
   *  attribute values, never parsed as HTML. */
  private buildRow(q: DisplayedQuestion, reasonOpen: boolean): HTMLDivElement {
    this.questions.set(q.id, q);
    this.haystacks.set(q.id, `${q.text}\n${q.entity}\n${q.reason ?? ''}\n${q.overridden?.note ?? ''}`.toLowerCase());
    const t = templates();
    const pending = q.answer === null && q.error === null;
    let classes = 'question-row';
    if (isFailing(q)) classes += ' failing';
    if (q.overridden) classes += ' overridden';
    if (pending) classes += ' pending';
    if (q.error !== null) classes += ' errored';

    const row = t.row.cloneNode(true) as HTMLDivElement;
    row.className = classes;
    row.setAttribute('data-question-id', q.id);
    row.setAttribute('data-dimension', q.dimension);
    row.setAttribute('data-entity', q.entity);
    const questionCell = row.firstChild as HTMLElement;
    const answerCell = questionCell.nextSibling as HTMLElement;
    const probCell = answerCell.nextSibling as HTMLElement;
    const scoreCell = probCell.nextSibling as HTMLElement;
    const overrideCell = scoreCell.nextSibling as HTMLElement;

    (questionCell.firstChild as HTMLElement).textContent = q.text;
    if (q.polarity === 'negative') questionCell.appendChild(t.polarity.cloneNode(true));
    if (q.probabilitySource === 'sampled') questionCell.appendChild(t.sampled.cloneNode(true));
    else if (q.probabilitySource === 'approximate') questionCell.appendChild(t.approximate.cloneNode(true));
    if (q.reason) {
      const details = t.reason.cloneNode(true) as HTMLDetailsElement;
      (details.lastChild as HTMLElement).textContent = q.reason;
      if (reasonOpen) details.open = true;
      questionCell.appendChild(details);
    }
    if (q.error !== null) {
      const error = t.error.cloneNode(true) as HTMLElement;
      error.append(q.error);
      questionCell.appendChild(error);
    }
    if (q.overridden?.note) {
      const note = t.note.cloneNode(true) as HTMLElement;
      note.append(q.overridden.note);
      questionCell.appendChild(note);
    }

    if (pending) answerCell.appendChild(t.pending.cloneNode(true));
    else if (q.answer === null) answerCell.appendChild(t.failed.cloneNode(true));
    else {
      answerCell.appendChild((q.answer === 'Yes' ? t.yes : t.no).cloneNode(true));
      if (q.overridden) {
        const marker = t.marker.cloneNode(true) as HTMLElement;
        marker.title = `Overridden by you; the model answered ${q.overridden.modelAnswer ?? 'nothing'}`;
        answerCell.appendChild(marker);
      }
    }

    const modelPYes = q.overridden ? modelProbability(q) : q.pYes;
    if (modelPYes !== null) {
      const prob = t.prob.cloneNode(true) as HTMLElement;
      prob.title = q.overridden ? `Model's P(yes) ${modelPYes.toFixed(3)}` : `P(yes) ${modelPYes.toFixed(3)}`;
      const bar = prob.firstChild as HTMLElement;
      bar.setAttribute('aria-valuenow', modelPYes.toFixed(3));
      // One element: the fill is a gradient stop at --p (CSSOM, allowed under the CSP).
      bar.style.setProperty('--p', `${(modelPYes * 100).toFixed(1)}%`);
      (prob.lastChild as HTMLElement).textContent = modelPYes.toFixed(2);
      probCell.appendChild(prob);
    }

    const scoreEl = scoreCell.firstChild as HTMLElement;
    scoreEl.className = `score ${scoreClass(q.score)}`;
    scoreEl.textContent = score(q.score);
    if (q.overridden && q.overridden.modelScore !== null) {
      scoreCell.appendChild(
        el('span', { className: 'model-score', title: 'The model’s score before your override' }, score(q.overridden.modelScore)),
      );
    }

    const current = q.overridden?.answer ?? null;
    const [yes, no, clear, note] = overrideCell.firstChild!.childNodes as NodeListOf<HTMLButtonElement>;
    if (current === 'Yes') yes!.setAttribute('aria-pressed', 'true');
    if (current === 'No') no!.setAttribute('aria-pressed', 'true');
    if (pending) {
      yes!.disabled = true;
      no!.disabled = true;
    }
    if (!q.overridden) clear!.disabled = true;
    if (pending || (q.answer === null && !q.overridden)) note!.disabled = true;

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
      attrs: {
        type: 'text',
        placeholder: 'Why is the model wrong? (saved with the override)',
        'aria-label': 'Override note',
        maxlength: 2000,
      },
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

interface RowTemplates {
  row: HTMLDivElement;
  polarity: HTMLElement;
  sampled: HTMLElement;
  approximate: HTMLElement;
  reason: HTMLDetailsElement;
  error: HTMLElement;
  note: HTMLElement;
  pending: HTMLElement;
  failed: HTMLElement;
  yes: HTMLElement;
  no: HTMLElement;
  marker: HTMLElement;
  prob: HTMLElement;
}

let rowTemplates: RowTemplates | undefined;

/** The parts every row shares, built once from constants (no question text in them). */
function templates(): RowTemplates {
  if (rowTemplates) return rowTemplates;
  const cell = (className: string, ...children: HTMLElement[]) => el('div', { className, attrs: { role: 'cell' } }, ...children);
  const button = (label: string, title: string, dataset: Record<string, string>, ariaLabel?: string) =>
    el(
      'button',
      {
        className: 'tool-btn',
        dataset,
        title,
        attrs: { type: 'button', 'aria-pressed': 'false', ...(ariaLabel ? { 'aria-label': ariaLabel } : {}) },
      },
      label,
    );
  const iconButton = (action: string, title: string, ariaLabel: string, codicon: string) =>
    el(
      'button',
      { className: 'tool-btn icon-only', dataset: { action }, title, attrs: { type: 'button', 'aria-label': ariaLabel } },
      icon(codicon),
    );
  const clear = iconButton('clear', 'Remove the override (back to the model’s answer)', 'Remove override', 'discard');
  const note = iconButton('note', 'Add a note to the override', 'Note', 'comment');
  rowTemplates = {
    row: el(
      'div',
      { className: 'question-row', attrs: { role: 'row' } },
      cell('col-question', el('div', { className: 'q-text' })),
      cell('col-answer'),
      cell('col-prob'),
      cell('col-score', el('span', { className: 'score', dataset: { role: 'score' } })),
      cell(
        'col-override',
        el(
          'div',
          { className: 'override', attrs: { role: 'group', 'aria-label': 'Override the answer' } },
          button('Yes', 'Set the answer to Yes', { action: 'override', answer: 'Yes' }),
          button('No', 'Set the answer to No', { action: 'override', answer: 'No' }),
          clear,
          note,
        ),
      ),
    ),
    polarity: el('span', { className: 'chip polarity', title: 'Negative question: “No” is the good answer' }, 'No = good'),
    sampled: el(
      'span',
      { className: 'chip sampled', title: 'No Yes/No token in the top log-probabilities: the sampled answer counts as certain' },
      'sampled',
    ),
    approximate: el(
      'span',
      {
        className: 'chip sampled',
        title: 'The server refused the assistant prefill that reads an answer path the reply did not take: that path is estimated',
      },
      'approximate',
    ),
    reason: el('details', { className: 'reason' }, el('summary', null, 'Reason'), el('p', { className: 'reason-text' })),
    error: el('div', { className: 'q-error' }, icon('error'), ' '),
    note: el('div', { className: 'q-note' }, icon('comment'), ' '),
    pending: el(
      'span',
      { className: 'answer answer-pending', title: 'Waiting for the model' },
      icon('loading', 'codicon-modifier-spin'),
      ' …',
    ),
    failed: el('span', { className: 'answer answer-error' }, 'Failed'),
    yes: el('span', { className: 'answer answer-yes' }, 'Yes'),
    no: el('span', { className: 'answer answer-no' }, 'No'),
    marker: el('span', { className: 'override-marker', dataset: { role: 'override-marker' } }, icon('account'), ' override'),
    prob: el(
      'div',
      { className: 'prob' },
      el('div', { className: 'prob-bar', attrs: { role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-label': 'P(yes)' } }),
      el('span', { className: 'prob-value' }),
    ),
  };
  return rowTemplates;
}

/** The model's own P(yes) of an overridden question, recovered from its score and polarity. */
function modelProbability(q: DisplayedQuestion): number | null {
  const s = q.overridden?.modelScore;
  if (s === null || s === undefined) return null;
  return q.polarity === 'positive' ? s : 1 - s;
}
