// The FingER side panel: jobs in progress (with cancel), the details of the video in the active
// editor (dimension scores, then each entity's questions with answer, probability and reason,
// searchable), and every scored video of the workspace (sortable, filterable; a click opens its
// results panel). It replays its last state from getState when VS Code re-creates it.
import '../common/zod-csp';
import './elements';
import { DIMENSION_LABELS, DIMENSIONS, type Dimension } from '../../src/core/types';
import { applyOverridesToResult, type DisplayedQuestion } from '../../src/shared/display';
import type { ExtensionNotification, Job, NotificationParams, VideoRow } from '../../src/shared/protocol';
import { append, el, icon } from '../common/dom';
import { baseName, dateTime, isFailing, percent, score, scoreClass } from '../common/format';
import { WebviewHost } from '../common/host';
import { signalRendered } from '../common/rendered';

type Details = NotificationParams<'sidebar/details'>;
type SortKey = 'name' | 'overall-asc' | 'overall-desc' | 'date';

interface PersistedState {
  version: 1;
  details: Details | null;
  videos: VideoRow[];
  jobs: Job[];
  search: string;
  filter: string;
  sort: SortKey;
}

const SHORT_LABELS: Record<Dimension, string> = {
  visual_quality: 'VQ',
  temporal_consistency: 'TC',
  dynamic_degree: 'DD',
  text_alignment: 'TA',
  factual_consistency: 'FC',
};

const host = new WebviewHost<PersistedState>(onNotification);
const restored = host.getState();
const state: PersistedState =
  restored?.version === 1
    ? restored
    : { version: 1, details: null, videos: [], jobs: [], search: '', filter: '', sort: 'name' };

// ─── Skeleton ───────────────────────────────────────────────────────────────────────────────────

const root = document.getElementById('root') ?? document.body.appendChild(el('div', { attrs: { id: 'root' } }));

const jobsList = el('ul', { className: 'jobs', attrs: { 'aria-label': 'Jobs in progress' } });
const jobsSection = el('section', { className: 'section jobs-section', attrs: { 'aria-label': 'Jobs' } }, sectionTitle('Running', 'sync'), jobsList);

const detailsHead = el('div', { className: 'details-head' });
const detailsDims = el('ul', { className: 'mini-dimensions', attrs: { 'aria-label': 'Dimension scores' } });
const searchField = el('vscode-textfield', { className: 'details-search', attrs: { placeholder: 'Search questions and reasons', 'aria-label': 'Search questions' } });
searchField.append(el('vscode-icon', { attrs: { slot: 'content-before', name: 'search', 'aria-hidden': 'true' } }));
const detailsBody = el('div', { className: 'details-body' });
const detailsSection = el(
  'section',
  { className: 'section details-section', attrs: { 'aria-label': 'Current video' } },
  sectionTitle('Current video', 'device-camera-video'),
  detailsHead,
  detailsDims,
  searchField,
  detailsBody,
);

const filterField = el('vscode-textfield', { className: 'videos-filter', attrs: { placeholder: 'Filter videos', 'aria-label': 'Filter videos' } });
filterField.append(el('vscode-icon', { attrs: { slot: 'content-before', name: 'filter', 'aria-hidden': 'true' } }));
const sortSelect = el('vscode-single-select', { className: 'videos-sort', attrs: { 'aria-label': 'Sort videos' } });
sortSelect.append(
  el('vscode-option', { attrs: { value: 'name' } }, 'Name'),
  el('vscode-option', { attrs: { value: 'overall-asc' } }, 'Overall ↑ (worst first)'),
  el('vscode-option', { attrs: { value: 'overall-desc' } }, 'Overall ↓ (best first)'),
  el('vscode-option', { attrs: { value: 'date' } }, 'Newest first'),
);
const videosCount = el('span', { className: 'section-count' });
const videosList = el('ul', { className: 'videos', attrs: { 'aria-label': 'Scored videos' } });
const videosSection = el(
  'section',
  { className: 'section videos-section', attrs: { 'aria-label': 'Scored videos' } },
  sectionTitle('Scored videos', 'list-flat', videosCount),
  el('div', { className: 'videos-toolbar' }, filterField, sortSelect),
  videosList,
);

root.replaceChildren(jobsSection, detailsSection, videosSection);

function sectionTitle(text: string, iconName: string, extra?: Node): HTMLElement {
  return el('h2', { className: 'section-title' }, icon(iconName), el('span', null, text), extra ?? null);
}

searchField.addEventListener('input', () => {
  state.search = searchField.value;
  applySearch();
  save();
});
filterField.addEventListener('input', () => {
  state.filter = filterField.value;
  renderVideos();
  save();
});
sortSelect.addEventListener('change', () => {
  state.sort = asSortKey(sortSelect.value);
  renderVideos();
  save();
});
jobsList.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-job-id]');
  if (button?.dataset['jobId']) {
    button.disabled = true;
    host.command('sidebar/cancelJob', { id: button.dataset['jobId'] });
  }
});
videosList.addEventListener('click', (event) => {
  const item = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-rel-path]');
  if (item?.dataset['relPath'] !== undefined) host.command('sidebar/openResults', { relPath: item.dataset['relPath'] });
});

function asSortKey(value: string): SortKey {
  return value === 'overall-asc' || value === 'overall-desc' || value === 'date' ? value : 'name';
}

// ─── Messages ───────────────────────────────────────────────────────────────────────────────────

function onNotification(message: ExtensionNotification): void {
  switch (message.method) {
    case 'sidebar/details':
      state.details = message.params;
      renderDetails();
      break;
    case 'sidebar/videos':
      state.videos = message.params.rows;
      renderVideos();
      break;
    case 'sidebar/jobs':
      state.jobs = message.params.jobs;
      renderJobs();
      break;
    default:
      return;
  }
  save();
  signalRendered('full');
}

// ─── Rendering ──────────────────────────────────────────────────────────────────────────────────

function renderJobs(): void {
  jobsSection.hidden = state.jobs.length === 0;
  const fragment = document.createDocumentFragment();
  for (const job of state.jobs) {
    const bar = el('vscode-progress-bar', { attrs: { 'aria-label': `Progress of ${job.label}` } });
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.done;
    } else bar.indeterminate = true;
    fragment.append(
      el(
        'li',
        { className: 'job', dataset: { jobId: job.id } },
        el(
          'div',
          { className: 'job-line' },
          el('span', { className: 'job-label', title: job.label }, job.label),
          el(
            'button',
            { className: 'tool-btn icon-only', dataset: { jobId: job.id }, title: `Cancel ${job.label}`, attrs: { 'aria-label': `Cancel ${job.label}` } },
            icon('close'),
          ),
        ),
        bar,
        el('div', { className: 'job-phase' }, job.total > 0 ? `${job.phase} · ${job.done} / ${job.total}` : job.phase),
      ),
    );
  }
  jobsList.replaceChildren(fragment);
}

function renderDetails(): void {
  const details = state.details;
  const result = details?.result ?? null;
  searchField.value = state.search;
  if (!details?.target) {
    detailsHead.replaceChildren(el('p', { className: 'empty-note' }, 'Open a video or its prompt file to see its FingER scores here.'));
    detailsDims.hidden = true;
    searchField.hidden = true;
    detailsBody.replaceChildren();
    return;
  }
  const target = details.target;
  const shown = result ? applyOverridesToResult(result, details.labels) : null;
  const open = el(
    'button',
    { className: 'link-btn', title: `Open the results of ${target.videoRelPath}` },
    icon('device-camera-video'),
    ' ',
    el('span', { className: 'details-name' }, baseName(target.videoRelPath)),
  );
  open.addEventListener('click', () => host.command('sidebar/openResults', { relPath: target.videoRelPath }));
  detailsHead.replaceChildren();
  append(detailsHead, [
    el(
      'div',
      { className: 'details-title' },
      open,
      shown ? el('span', { className: `score-pill ${scoreClass(shown.overall)}`, dataset: { role: 'overall' }, title: 'Overall score' }, score(shown.overall)) : null,
    ),
    result ? el('div', { className: 'details-meta' }, `${result.endpoint.model} · ${dateTime(result.createdAt)}`) : null,
    result ? null : el('p', { className: 'empty-note' }, 'Not scored yet. Right-click the video and choose “FingER: Score Video”.'),
  ]);
  detailsDims.hidden = !shown;
  searchField.hidden = !shown;
  if (!shown) {
    detailsBody.replaceChildren();
    return;
  }
  const dimsFragment = document.createDocumentFragment();
  for (const d of DIMENSIONS) {
    const value = shown.dimensions[d]?.score ?? null;
    dimsFragment.append(
      el(
        'li',
        { className: 'mini-dimension', dataset: { dimension: d }, title: `${DIMENSION_LABELS[d]}: ${score(value)}` },
        el('span', { className: 'mini-label' }, DIMENSION_LABELS[d]),
        bar(value),
        el('span', { className: `mini-value ${scoreClass(value)}` }, score(value)),
      ),
    );
  }
  detailsDims.replaceChildren(dimsFragment);

  const byEntity = new Map<string, DisplayedQuestion[]>();
  for (const q of shown.questions) {
    const list = byEntity.get(q.entity);
    if (list) list.push(q);
    else byEntity.set(q.entity, [q]);
  }
  const fragment = document.createDocumentFragment();
  for (const [entity, questions] of byEntity) {
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
  detailsBody.replaceChildren(fragment);
  applySearch();
}

function questionItem(q: DisplayedQuestion): HTMLLIElement {
  const answer = q.answer
    ? el('span', { className: `answer answer-${q.answer.toLowerCase()}` }, q.answer)
    : el('span', { className: 'answer answer-error', title: q.error ?? 'Not answered' }, q.error ? 'Failed' : '…');
  const item = el(
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
      el('span', { className: `q-prob ${scoreClass(q.score)}`, title: `P(yes) ${percent(q.pYes, 1)} · score ${score(q.score)}` }, percent(q.pYes)),
    ),
    el(
      'div',
      { className: 'q-sub' },
      el('span', { className: 'q-dim' }, DIMENSION_LABELS[q.dimension]),
      q.overridden ? el('span', { className: 'override-marker', title: `Overridden by you; the model answered ${q.overridden.modelAnswer ?? 'nothing'}` }, icon('account'), ' override') : null,
    ),
    q.reason ? el('details', { className: 'reason' }, el('summary', null, 'Reason'), el('p', { className: 'reason-text' }, q.reason)) : null,
    q.error ? el('div', { className: 'q-error' }, q.error) : null,
  );
  return item;
}

function applySearch(): void {
  const needle = state.search.trim().toLowerCase();
  let visible = 0;
  for (const entity of detailsBody.querySelectorAll<HTMLElement>('.entity')) {
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
  let none = detailsBody.querySelector('.no-match');
  if (visible === 0 && needle && detailsBody.querySelector('.entity')) {
    none ??= detailsBody.appendChild(el('p', { className: 'empty-note no-match' }, ''));
    none.textContent = `No question matches “${state.search}”.`;
  } else none?.remove();
}

function renderVideos(): void {
  filterField.value = state.filter;
  sortSelect.value = state.sort;
  const needle = state.filter.trim().toLowerCase();
  const rows = state.videos.filter((r) => !needle || r.relPath.toLowerCase().includes(needle) || (r.model ?? '').toLowerCase().includes(needle));
  rows.sort(comparator(state.sort));
  videosCount.textContent = needle ? `${rows.length} / ${state.videos.length}` : String(state.videos.length);
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const dims = el('span', { className: 'video-dims' });
    for (const d of DIMENSIONS) {
      const value = row.dimensions[d] ?? null;
      dims.append(el('span', { className: 'video-dim', title: `${DIMENSION_LABELS[d]}: ${score(value)}`, dataset: { dimension: d } }, el('span', { className: 'video-dim-label' }, SHORT_LABELS[d]), bar(value)));
    }
    const folder = row.relPath.includes('/') ? row.relPath.slice(0, row.relPath.lastIndexOf('/')) : '';
    fragment.append(
      el(
        'li',
        null,
        el(
          'button',
          { className: `video${row.error ? ' has-error' : ''}`, dataset: { relPath: row.relPath }, title: `Open the results of ${row.relPath}` },
          el(
            'span',
            { className: 'video-line' },
            row.error ? icon('error', 'video-error-icon') : icon('device-camera-video'),
            el('span', { className: 'video-name' }, baseName(row.relPath)),
            el('span', { className: `score-pill ${scoreClass(row.overall)}`, dataset: { role: 'overall' } }, score(row.overall)),
          ),
          el('span', { className: 'video-sub' }, folder ? el('span', { className: 'video-folder' }, folder) : null, el('span', { className: 'video-date' }, dateTime(row.createdAt))),
          dims,
          row.error ? el('span', { className: 'video-error' }, row.error) : null,
        ),
      ),
    );
  }
  if (rows.length === 0) {
    fragment.append(
      el('li', { className: 'empty-note' }, state.videos.length === 0 ? 'No scored videos yet. Right-click a video in the Explorer → “FingER: Score Video”.' : 'No video matches the filter.'),
    );
  }
  videosList.replaceChildren(fragment);
}

function comparator(sort: SortKey): (a: VideoRow, b: VideoRow) => number {
  const byName = (a: VideoRow, b: VideoRow) => a.relPath.localeCompare(b.relPath, undefined, { numeric: true });
  // Unscored (null) rows sort last in both directions.
  const overall = (dir: 1 | -1) => (a: VideoRow, b: VideoRow) =>
    a.overall === null ? (b.overall === null ? byName(a, b) : 1) : b.overall === null ? -1 : (a.overall - b.overall) * dir || byName(a, b);
  switch (sort) {
    case 'overall-asc':
      return overall(1);
    case 'overall-desc':
      return overall(-1);
    case 'date':
      return (a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0) || byName(a, b);
    default:
      return byName;
  }
}

function bar(value: number | null): HTMLElement {
  const fill = el('div', { className: `bar-fill ${scoreClass(value)}` });
  fill.style.width = `${((value ?? 0) * 100).toFixed(1)}%`;
  return el('div', { className: 'bar', attrs: { 'aria-hidden': 'true' } }, fill);
}

function save(): void {
  host.setState(state);
}

// ─── Start: replay the last state, then ask for fresh data ─────────────────────────────────────

renderJobs();
renderDetails();
renderVideos();
signalRendered('full');
host.command('sidebar/ready', {});
