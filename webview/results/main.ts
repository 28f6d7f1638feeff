// The results panel of one video: header with the overall score, the video and its sampled
// frames, a radar of the five dimension scores, and the questions table with filters and
// overrides. It renders only what the extension sends (src/shared/protocol.ts) and posts back the
// user's intents; its state is kept with setState so the panel restores after a reload.
import '../common/zod-csp';
import './elements';
import { DIMENSION_LABELS, DIMENSIONS, type AnsweredQuestion, type Dimension, type Labels, type Question } from '../../src/core/types';
import { displayQuestions, effectiveWeights, type DisplayedQuestion, type DisplayedResult } from '../../src/shared/display';
import type { ExtensionNotification, NotificationParams, Progress, ResultsShowParams } from '../../src/shared/protocol';
import { append, el, icon } from '../common/dom';
import { baseName, dateTime, isFailing, score, scoreClass } from '../common/format';
import { WebviewHost } from '../common/host';
import { signalRendered } from '../common/rendered';
import { watchTheme } from '../common/theme';
import { renderMedia } from './media';
import { RadarView } from './radar';
import { NO_FILTERS, QuestionTable, type TableFilters } from './table';

type QuestionsChanged = NotificationParams<'results/questionsChanged'>;

interface PersistedState {
  version: 1;
  show: ResultsShowParams | null;
  /** The rows: the result's questions, then whatever live answers and question sets changed. */
  questions: AnsweredQuestion[];
  /** Prompt of a score in progress (before a result exists). */
  prompt: string | null;
  labels: Labels | null;
  filters: TableFilters;
  changes: QuestionsChanged | null;
  error: { message: string; file?: string } | null;
  progress: Progress | null;
}

declare global {
  interface Window {
    /** Read-only handles for tests and the benchmark. */
    __fingerResults?: { chart(): RadarView['chart']; table(): QuestionTable };
  }
}

const initialState: PersistedState = {
  version: 1,
  show: null,
  questions: [],
  prompt: null,
  labels: null,
  filters: NO_FILTERS,
  changes: null,
  error: null,
  progress: null,
};

const host = new WebviewHost<PersistedState>(onNotification);
const restored = host.getState();
let state: PersistedState = restored?.version === 1 ? { ...initialState, ...restored } : { ...initialState };
let displayed: DisplayedResult = { questions: [], dimensions: {}, overall: null, overriddenCount: 0 };
let mediaKey = '';

// ─── Static skeleton (built once; renders fill its parts) ──────────────────────────────────────

const root = document.getElementById('root') ?? document.body.appendChild(el('div', { attrs: { id: 'root' } }));
const headerEl = el('header', { className: 'panel-header' });
const bannersEl = el('div', { className: 'banners', attrs: { 'aria-live': 'polite' } });
const progressText = el('span', { className: 'progress-text' });
const progressBar = el('vscode-progress-bar', { attrs: { 'aria-label': 'Scoring progress' } });
const progressEl = el('div', { className: 'progress', hidden: true, attrs: { role: 'status' } }, progressBar, progressText);
const emptyEl = el('div', { className: 'empty-state', hidden: true });
const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Radar chart of the dimension scores' } });
const dimensionListEl = el('ul', { className: 'dimension-list', attrs: { 'aria-label': 'Dimension scores' } });
const overviewEl = el(
  'section',
  { className: 'overview', attrs: { 'aria-label': 'Scores' } },
  el('div', { className: 'radar' }, canvas),
  dimensionListEl,
);
const mediaEl = el('section', { className: 'media', attrs: { 'aria-label': 'Video and sampled frames' } });

const searchField = el('vscode-textfield', { className: 'filter-text', attrs: { placeholder: 'Filter questions and reasons', 'aria-label': 'Filter questions' } });
searchField.append(el('vscode-icon', { attrs: { slot: 'content-before', name: 'filter', 'aria-hidden': 'true' } }));
const dimensionSelect = el('vscode-single-select', { className: 'filter-dimension', attrs: { 'aria-label': 'Dimension' } });
dimensionSelect.append(el('vscode-option', { attrs: { value: '' } }, 'All dimensions'), ...DIMENSIONS.map((d) => el('vscode-option', { attrs: { value: d } }, DIMENSION_LABELS[d])));
const entitySelect = el('vscode-single-select', { className: 'filter-entity', attrs: { 'aria-label': 'Entity' } });
const failingCheckbox = el('vscode-checkbox', { className: 'filter-failing', attrs: { label: 'Failing only' } });
const visibleCountEl = el('span', { className: 'visible-count', attrs: { 'aria-live': 'polite' } });
const toolbarEl = el(
  'div',
  { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Filters' } },
  searchField,
  dimensionSelect,
  entitySelect,
  failingCheckbox,
  el('span', { className: 'spacer' }),
  visibleCountEl,
);

const table = new QuestionTable({ override: onOverride });
const questionsEl = el('section', { className: 'questions-section', attrs: { 'aria-label': 'Questions' } }, toolbarEl, el('div', { className: 'table-wrap' }, table.element));

root.replaceChildren(headerEl, bannersEl, progressEl, emptyEl, overviewEl, mediaEl, questionsEl);
const radar = new RadarView(canvas);

window.__fingerResults = { chart: () => radar.chart, table: () => table };

watchTheme(() => radar.refreshTheme());

// ─── Filters ────────────────────────────────────────────────────────────────────────────────────

let entityOptionsKey = '';
function syncFilterControls(): void {
  const entities = table.entities();
  const key = entities.join('\u0000');
  if (key !== entityOptionsKey) {
    entityOptionsKey = key;
    entitySelect.replaceChildren(
      el('vscode-option', { attrs: { value: '' } }, 'All entities'),
      ...entities.map((e) => el('vscode-option', { attrs: { value: e } }, e || '(whole video)')),
    );
  }
  if (state.filters.entity && !entities.includes(state.filters.entity)) state.filters = { ...state.filters, entity: '' };
  // Only on change: each assignment re-renders the component, and the select measures itself
  // (a forced layout of the whole page) when it renders.
  if (searchField.value !== state.filters.text) searchField.value = state.filters.text;
  if (dimensionSelect.value !== state.filters.dimension) dimensionSelect.value = state.filters.dimension;
  if (entitySelect.value !== state.filters.entity) entitySelect.value = state.filters.entity;
  if (failingCheckbox.checked !== state.filters.failingOnly) failingCheckbox.checked = state.filters.failingOnly;
}

function setFilters(filters: TableFilters): void {
  state.filters = filters;
  table.applyFilters(filters);
  updateVisibleCount();
  saveState();
}

function updateVisibleCount(): void {
  const total = displayed.questions.length;
  const visible = table.visibleCount();
  visibleCountEl.textContent = visible === total ? `${total} question${total === 1 ? '' : 's'}` : `Showing ${visible} of ${total}`;
}

searchField.addEventListener('input', () => setFilters({ ...state.filters, text: searchField.value }));
dimensionSelect.addEventListener('change', () => setFilters({ ...state.filters, dimension: asDimension(dimensionSelect.value) }));
entitySelect.addEventListener('change', () => setFilters({ ...state.filters, entity: entitySelect.value }));
failingCheckbox.addEventListener('change', () => setFilters({ ...state.filters, failingOnly: failingCheckbox.checked }));

function asDimension(value: string): Dimension | '' {
  return (DIMENSIONS as readonly string[]).includes(value) ? (value as Dimension) : '';
}

// ─── Messages ───────────────────────────────────────────────────────────────────────────────────

function onNotification(message: ExtensionNotification): void {
  switch (message.method) {
    case 'results/show': {
      const { result, labels } = message.params;
      state = {
        ...state,
        show: message.params,
        questions: result ? result.questions : [],
        prompt: result ? result.prompt : null,
        labels,
        progress: null,
        error: null,
      };
      fullRender();
      break;
    }
    case 'results/questions':
      state.prompt = message.params.prompt;
      state.questions = mergeQuestionSet(state.questions, message.params.questions);
      fullRender();
      break;
    case 'results/answer':
      onAnswer(message.params.question);
      break;
    case 'results/progress':
      state.progress = message.params;
      renderProgress();
      saveState();
      break;
    case 'results/questionsChanged':
      state.changes = message.params;
      renderBanners();
      saveState();
      break;
    case 'results/labels':
      state.labels = message.params.labels;
      fullRender();
      break;
    case 'results/error':
      state.error = message.params;
      renderBanners();
      saveState();
      break;
    default:
      // Side-panel notifications are not for this panel.
      break;
  }
}

/** A new question set starts: keep answers of questions that are still asked, others start
 *  unanswered so their rows show as pending until `results/answer` fills them. */
function mergeQuestionSet(previous: readonly AnsweredQuestion[], questions: readonly Question[]): AnsweredQuestion[] {
  const byId = new Map(previous.map((q) => [q.id, q]));
  return questions.map((q) => {
    const old = byId.get(q.id);
    if (old && old.text === q.text && old.dimension === q.dimension && old.entity === q.entity) return { ...old, ...q };
    return { ...q, answer: null, reason: null, pYes: null, pNo: null, score: null, probabilitySource: null, error: null };
  });
}

const questionIndex = new Map<string, number>();
function indexQuestions(): void {
  questionIndex.clear();
  state.questions.forEach((q, i) => questionIndex.set(q.id, i));
}

function weights() {
  return effectiveWeights(state.show?.result ?? null, state.show?.weights);
}

function recompute(): void {
  displayed = displayQuestions(state.questions, state.labels, weights());
  // Another protocol's overall is its paper's (Q-Save's is its MOS, not the mean of the dimensions):
  // shown as saved while the answers are the saved ones; recomputed once one is overridden.
  const result = state.show?.result;
  if (result && result.protocol !== 'finger' && displayed.overriddenCount === 0 && state.questions === result.questions) {
    displayed = { ...displayed, overall: result.overall };
  }
}

function onAnswer(question: AnsweredQuestion): void {
  const index = questionIndex.get(question.id);
  if (index === undefined) {
    state.questions = [...state.questions, question];
    questionIndex.set(question.id, state.questions.length - 1);
  } else {
    state.questions[index] = question;
  }
  recompute();
  const shown = displayed.questions.find((q) => q.id === question.id);
  if (!shown || !table.updateQuestion(shown)) {
    scheduleFullRender();
    return;
  }
  table.updateDimensionHeaders(displayed.dimensions);
  updateOverall();
  renderDimensionList();
  radar.schedule(dimensionValues(), false);
  updateVisibleCount();
  if (emptyEl.hidden === false) renderEmptyState();
  saveState();
  signalRendered('answer');
}

function onOverride(question: DisplayedQuestion, answer: 'Yes' | 'No' | null, note: string | undefined): void {
  const relPath = state.show?.video.relPath ?? '';
  host.command('results/override', {
    questionId: question.id,
    questionText: question.text,
    answer,
    ...(note !== undefined ? { note } : {}),
  });
  // Shown at once; the extension confirms with `results/labels` once the labels file is saved.
  const labels: Labels = state.labels ?? { version: 1, video: relPath, overrides: [] };
  const others = labels.overrides.filter((o) => o.questionId !== question.id && o.questionText !== question.text);
  state.labels = {
    ...labels,
    overrides: answer
      ? [...others, { questionId: question.id, questionText: question.text, answer, ...(note ? { note } : {}), updatedAt: new Date().toISOString() }]
      : others,
  };
  recompute();
  const shown = displayed.questions.find((q) => q.id === question.id);
  if (shown) table.updateQuestion(shown);
  table.updateDimensionHeaders(displayed.dimensions);
  updateOverall();
  renderDimensionList();
  radar.schedule(dimensionValues(), false);
  updateVisibleCount();
  saveState();
}

// ─── Rendering ──────────────────────────────────────────────────────────────────────────────────

let fullRenderFrame = 0;
function scheduleFullRender(): void {
  if (fullRenderFrame) return;
  fullRenderFrame = requestAnimationFrame(() => {
    fullRenderFrame = 0;
    fullRender();
  });
}

function fullRender(): void {
  if (fullRenderFrame) {
    cancelAnimationFrame(fullRenderFrame);
    fullRenderFrame = 0;
  }
  indexQuestions();
  recompute();
  renderHeader();
  renderBanners();
  renderProgress();
  renderEmptyState();
  const show = state.show;
  if (show) {
    const key = JSON.stringify(show.video);
    if (key !== mediaKey) {
      mediaKey = key;
      renderMedia(mediaEl, show.video);
    }
  }
  mediaEl.hidden = !show;
  const hasQuestions = displayed.questions.length > 0;
  overviewEl.hidden = !hasQuestions;
  questionsEl.hidden = !hasQuestions;
  renderDimensionList();
  table.render(displayed.questions, displayed.dimensions);
  syncFilterControls();
  table.applyFilters(state.filters);
  updateVisibleCount();
  radar.schedule(dimensionValues());
  saveState();
  signalRendered('full');
}

function dimensionValues(): Partial<Record<Dimension, number | null>> {
  const values: Partial<Record<Dimension, number | null>> = {};
  for (const d of DIMENSIONS) values[d] = displayed.dimensions[d]?.score ?? null;
  return values;
}

// The header's custom elements are made once and updated in place: a full render (and a live
// answer) creates no new component, which would cost an upgrade, a shadow root and a Lit render.
const rescoreButton = el('vscode-button', { attrs: { icon: 'refresh' } });
rescoreButton.addEventListener('click', () => host.command('results/rescore', {}));
const openPromptButton = el('vscode-button', { attrs: { secondary: true, icon: 'go-to-file' } }, 'Open prompt');
openPromptButton.addEventListener('click', () => {
  const promptFile = state.show?.video.promptFile;
  if (promptFile) host.command('results/openFile', { relPath: promptFile });
});
const actionsEl = el('div', { className: 'actions' }, rescoreButton, openPromptButton);
const overallValueEl = el('span', { className: 'overall-value', dataset: { role: 'overall' } });
const overrideBadge = el('vscode-badge', { className: 'override-badge', title: 'Answers you overrode count in these scores' });
const overallEl = el('div', { className: 'overall' }, overallValueEl, el('span', { className: 'overall-label' }, 'Overall'), overrideBadge);

function renderHeader(): void {
  const show = state.show;
  const result = show?.result ?? null;
  const name = show?.video.name ?? 'FingER results';
  const prompt = result?.prompt ?? state.prompt;
  const promptFile = show?.video.promptFile;

  const meta: (string | null)[] = [
    result ? result.endpoint.model : null,
    result ? dateTime(result.createdAt) : null,
    result && result.protocol !== 'finger' ? result.protocol : null,
    result ? `${result.sampling.frames} frames @ ${result.sampling.fps} fps (${result.sampling.mode})` : null,
  ];
  const metaEl = el('div', { className: 'meta' });
  meta.filter((m): m is string => m !== null).forEach((m, i) => {
    if (i > 0) metaEl.append(el('span', { className: 'sep', attrs: { 'aria-hidden': 'true' } }, '·'));
    metaEl.append(el('span', null, m));
  });

  const rescoreLabel = result ? 'Re-score' : 'Score';
  if (rescoreButton.textContent !== rescoreLabel) rescoreButton.textContent = rescoreLabel;
  rescoreButton.title = result ? 'Score this video again (only changed questions are asked)' : 'Score this video';
  openPromptButton.hidden = !promptFile;
  if (promptFile) openPromptButton.title = `Open ${promptFile}`;
  updateOverall();

  headerEl.replaceChildren();
  append(headerEl, [
    el(
      'div',
      { className: 'title-row' },
      el(
        'div',
        { className: 'title-block' },
        el('h1', { className: 'video-name' }, icon('device-camera-video'), ' ', el('span', { dataset: { role: 'video-name' } }, name)),
        show && show.video.relPath !== name ? el('div', { className: 'video-path' }, show.video.relPath) : null,
        metaEl,
      ),
      overallEl,
    ),
    prompt
      ? el(
          'blockquote',
          { className: 'prompt' },
          el('span', { className: 'prompt-label' }, 'Prompt'),
          el('span', { className: 'prompt-text', dataset: { role: 'prompt' } }, prompt),
          promptFile ? el('span', { className: 'prompt-file' }, baseName(promptFile)) : null,
        )
      : null,
    actionsEl,
  ]);
}

/** The overall score and override count only (a live answer rebuilds nothing in the header). */
function updateOverall(): void {
  const overall = displayed.overall;
  overallEl.hidden = displayed.questions.length === 0;
  overallValueEl.textContent = score(overall);
  overallEl.className = `overall ${scoreClass(overall)}`;
  overallEl.setAttribute('aria-label', `Overall score ${score(overall)}`);
  overrideBadge.hidden = displayed.overriddenCount === 0;
  const badgeText = `${displayed.overriddenCount} overridden`;
  if (overrideBadge.textContent !== badgeText) overrideBadge.textContent = badgeText;
}

function renderDimensionList(): void {
  const fragment = document.createDocumentFragment();
  for (const d of DIMENSIONS) {
    const dim = displayed.dimensions[d];
    const value = dim?.score ?? null;
    const asked = displayed.questions.filter((q) => q.dimension === d);
    const failing = asked.filter(isFailing).length;
    const fill = el('div', { className: `bar-fill ${scoreClass(value)}` });
    fill.style.width = `${((value ?? 0) * 100).toFixed(1)}%`;
    fragment.append(
      el(
        'li',
        { className: `dimension-item${dim ? '' : ' unscored'}`, dataset: { dimension: d } },
        el('span', { className: 'dimension-label' }, DIMENSION_LABELS[d]),
        el('span', { className: `dimension-score ${scoreClass(value)}`, dataset: { role: 'dimension-score' } }, score(value)),
        el('div', { className: 'bar', attrs: { 'aria-hidden': 'true' } }, fill),
        el(
          'span',
          { className: 'dimension-detail' },
          asked.length === 0 ? 'no questions' : `${dim?.count ?? 0}/${asked.length} answered${failing ? ` · ${failing} failing` : ''}`,
        ),
      ),
    );
  }
  dimensionListEl.replaceChildren(fragment);
}

function renderProgress(): void {
  const p = state.progress;
  const active = p !== null && !(p.phase === 'done' || (p.total > 0 && p.done >= p.total && p.phase === 'save'));
  progressEl.hidden = !active;
  if (!active || !p) return;
  if (p.total > 0) {
    progressBar.max = p.total;
    progressBar.value = p.done;
    progressBar.indeterminate = false;
  } else {
    progressBar.indeterminate = true;
  }
  progressText.textContent = p.total > 0 ? `${capitalize(p.phase)} ${p.done} / ${p.total}` : `${capitalize(p.phase)}…`;
}

function renderEmptyState(): void {
  const unscored = state.show !== null && displayed.questions.length === 0;
  emptyEl.hidden = !unscored;
  if (!unscored) return;
  const button = el('vscode-button', { attrs: { icon: 'play' } }, 'Score video');
  button.addEventListener('click', () => host.command('results/rescore', {}));
  emptyEl.replaceChildren(
    icon('beaker', 'empty-icon'),
    el('p', null, 'This video has not been scored yet.'),
    el('p', { className: 'hint' }, 'FingER asks the model yes/no questions about each entity of the prompt and scores the answers.'),
    button,
  );
}

function renderBanners(): void {
  const fragment = document.createDocumentFragment();
  if (state.error) {
    const { message, file } = state.error;
    const actions: HTMLElement[] = [];
    if (file) {
      const open = el('vscode-button', { attrs: { secondary: true } }, 'Open file');
      open.addEventListener('click', () => host.command('results/openFile', { relPath: file }));
      actions.push(open);
    }
    fragment.append(
      banner('error', 'error', [el('span', { className: 'banner-message' }, message), file ? el('span', { className: 'banner-file' }, file) : null], actions, () => {
        state.error = null;
      }),
    );
  }
  if (state.changes) {
    const { added, removed, changed } = state.changes;
    const summary = [
      added.length ? `${added.length} added` : '',
      removed.length ? `${removed.length} removed` : '',
      changed.length ? `${changed.length} changed` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const list = el('ul', { className: 'change-list' });
    for (const q of added) list.append(el('li', { className: 'change-added' }, el('span', { className: 'change-kind' }, 'added'), q.text));
    for (const q of removed) list.append(el('li', { className: 'change-removed' }, el('span', { className: 'change-kind' }, 'removed'), q.text));
    for (const c of changed) {
      list.append(
        el(
          'li',
          { className: 'change-changed' },
          el('span', { className: 'change-kind' }, 'changed'),
          el('del', null, c.before.text),
          ' → ',
          el('ins', null, c.after.text),
        ),
      );
    }
    const rescore = el('vscode-button', null, 'Re-score changed');
    rescore.addEventListener('click', () => host.command('results/rescore', {}));
    fragment.append(
      banner(
        'info',
        'info',
        [
          el('span', { className: 'banner-message' }, `Question templates changed: ${summary || 'no question differs'}.`),
          el('details', { className: 'change-details' }, el('summary', null, 'Show questions'), list),
        ],
        [rescore],
        () => {
          state.changes = null;
        },
      ),
    );
  }
  bannersEl.replaceChildren(fragment);
}

function banner(kind: 'error' | 'info', iconName: string, body: (Node | null)[], actions: HTMLElement[], onDismiss: () => void): HTMLElement {
  const element = el(
    'div',
    { className: `banner banner-${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } },
    icon(iconName, 'banner-icon'),
    el('div', { className: 'banner-body' }, ...body),
    el('div', { className: 'banner-actions' }, ...actions),
  );
  const dismiss = el('button', { className: 'tool-btn icon-only', title: 'Dismiss', attrs: { 'aria-label': 'Dismiss' } }, icon('close'));
  dismiss.addEventListener('click', () => {
    onDismiss();
    element.remove();
    saveState();
  });
  element.append(dismiss);
  return element;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// setState clones the whole state; during a burst of live answers do it once the burst settles.
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  if (saveTimer !== undefined) return;
  saveTimer = setTimeout(() => {
    saveTimer = undefined;
    host.setState(state);
  }, 100);
}
window.addEventListener('pagehide', () => host.setState(state));

// ─── Start ──────────────────────────────────────────────────────────────────────────────────────

if (state.show) {
  // Restored after a reload: show the last state at once, then refresh the labels, which may have
  // changed while the panel was gone (the extension answers `results/ready` with `results/show`).
  fullRender();
  host
    .request('results/getLabels', {})
    .then(({ labels }) => {
      state.labels = labels;
      fullRender();
    })
    .catch((error: unknown) => console.warn('FingER: could not refresh labels', error));
} else {
  renderHeader();
  overviewEl.hidden = true;
  questionsEl.hidden = true;
  mediaEl.hidden = true;
}
host.command('results/ready', {});
