// The results panel of one video: header with the overall score, the video and its sampled
// frames, a radar of the five dimension scores, and the questions table with filters and
// overrides. It renders only what the extension sends (src/shared/protocols/results.ts): the
// state module applies each message and derives what the views show; the views only build DOM;
// this file wires them together. Its state is kept with setState so the panel restores after a
// reload.
import '../common/zod-csp';
import './elements';
import { DIMENSIONS, type Dimension } from '../../src/shared/model';
import { resultsProtocol, type ResultsToHost, type ResultsToWebview } from '../../src/shared/protocols/results';
import { el } from '../common/dom';
import { WebviewHost } from '../common/host';
import { signalRendered } from '../common/rendered';
import { watchTheme } from '../common/theme';
import { renderMedia } from './media';
import { renderSignals } from './signals';
import { RadarView } from './radar';
import { derive, reduce, restoreState, type Derived, type State, type TableFilters } from './state';
import { QuestionTable } from './table';
import { BannersView } from './views/banners';
import { DimensionsView } from './views/dimensions';
import { FiltersView } from './views/filters';
import { HeaderView } from './views/header';
import { EmptyView, ProgressView } from './views/status';

declare global {
  interface Window {
    /** Read-only handles for tests and the benchmark. */
    __fingerResults?: { chart(): RadarView['chart']; table(): QuestionTable };
  }
}

const host = new WebviewHost<ResultsToWebview, ResultsToHost, State>(resultsProtocol, onMessage);
const state: State = restoreState(host.getState());
const rescore = () => host.post('results/rescore', {});
const openFile = (relPath: string) => host.post('results/openFile', { relPath });

// ─── Views (built once; renders fill them) ──────────────────────────────────────────────────────

const header = new HeaderView({ rescore, openFile });
const banners = new BannersView({ rescore, openFile, dismissed: saveState });
const progress = new ProgressView();
const empty = new EmptyView(rescore);
const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': 'Radar chart of the dimension scores' } });
const dimensions = new DimensionsView();
const overviewEl = el(
  'section',
  { className: 'overview', attrs: { 'aria-label': 'Scores' } },
  el('div', { className: 'radar' }, canvas),
  dimensions.element,
);
const mediaEl = el('section', { className: 'media', attrs: { 'aria-label': 'Video and sampled frames' } });
const signalsEl = el('section', { className: 'signals', hidden: true, attrs: { 'aria-label': 'Signals' } });
const filters = new FiltersView(() => state.filters, setFilters);
const table = new QuestionTable({
  // The extension saves the override and sends the result as displayed with it.
  override: (question, answer, note) =>
    host.post('results/override', {
      questionId: question.id,
      questionText: question.text,
      answer,
      ...(note !== undefined ? { note } : {}),
    }),
});
const questionsEl = el(
  'section',
  { className: 'questions-section', attrs: { 'aria-label': 'Questions' } },
  filters.element,
  el('div', { className: 'table-wrap' }, table.element),
);

const root = document.getElementById('root') ?? document.body.appendChild(el('div', { attrs: { id: 'root' } }));
root.replaceChildren(header.element, banners.element, progress.element, empty.element, overviewEl, signalsEl, mediaEl, questionsEl);
const radar = new RadarView(canvas);
window.__fingerResults = { chart: () => radar.chart, table: () => table };
watchTheme(() => radar.refreshTheme());

// ─── Messages ───────────────────────────────────────────────────────────────────────────────────

function onMessage(message: ResultsToWebview): void {
  const change = reduce(state, message);
  if (change === 'all') scheduleFullRender(message.method === 'results/show');
  else if (change === 'progress') progress.render(state.progress);
  else if (change === 'banners') banners.render(state);
  else renderAnswer(change.answer);
  saveState();
}

function setFilters(next: TableFilters): void {
  state.filters = next;
  table.applyFilters(next);
  filters.renderCount(table.visibleCount(), derive(state).displayed.questions.length);
  saveState();
}

// ─── Rendering ──────────────────────────────────────────────────────────────────────────────────

/** One answer of a score in progress: its row and the scores, nothing else rebuilt. */
function renderAnswer(id: string): void {
  const derived = derive(state);
  const question = derived.displayed.questions[derived.questionIndex.get(id) ?? -1];
  if (!question || !table.updateQuestion(question)) {
    scheduleFullRender(false);
    return;
  }
  table.updateDimensionHeaders(derived.displayed.dimensions);
  header.renderOverall(derived);
  dimensions.render(derived);
  radar.schedule(dimensionValues(derived), false);
  filters.renderCount(table.visibleCount(), derived.displayed.questions.length);
  signalRendered('answer');
}

let fullRenderFrame = 0;
/** A `results/show` renders at once; rows added by live answers wait for the next frame. */
function scheduleFullRender(now: boolean): void {
  if (now) return fullRender();
  if (fullRenderFrame) return;
  fullRenderFrame = requestAnimationFrame(() => {
    fullRenderFrame = 0;
    fullRender();
  });
}

let mediaKey = '';
function fullRender(): void {
  if (fullRenderFrame) {
    cancelAnimationFrame(fullRenderFrame);
    fullRenderFrame = 0;
  }
  const derived = derive(state);
  const show = state.show;
  header.render(show, derived);
  banners.render(state);
  progress.render(state.progress);
  empty.render(show !== null && derived.displayed.questions.length === 0);
  if (show) {
    const key = JSON.stringify(show.video);
    if (key !== mediaKey) {
      mediaKey = key;
      renderMedia(mediaEl, show.video);
    }
  }
  mediaEl.hidden = !show;
  renderSignals(signalsEl, show?.signals, show?.video.frames ?? []);
  const hasQuestions = derived.displayed.questions.length > 0;
  overviewEl.hidden = !hasQuestions;
  questionsEl.hidden = !hasQuestions;
  dimensions.render(derived);
  table.render(derived.displayed.questions, derived.displayed.dimensions);
  state.filters = filters.render(derived.entities, state.filters);
  table.applyFilters(state.filters);
  filters.renderCount(table.visibleCount(), derived.displayed.questions.length);
  radar.schedule(dimensionValues(derived));
  signalRendered('full');
}

function dimensionValues({ displayed }: Derived): Partial<Record<Dimension, number | null>> {
  const values: Partial<Record<Dimension, number | null>> = {};
  for (const d of DIMENSIONS) values[d] = displayed.dimensions[d]?.score ?? null;
  return values;
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

// ─── Start: replay the saved state (after a reload), then tell the extension we are ready ──────

if (state.show) {
  fullRender();
} else {
  header.render(null, derive(state));
  overviewEl.hidden = true;
  questionsEl.hidden = true;
  mediaEl.hidden = true;
}
host.ready();
