// The Compare view and the side-by-side panel (one bundle, two pages; src/shared/protocols/compare.ts).
// Renders only what the extension sends, as text (webview/common/dom.ts), and posts back intents.
// Charts: Chart.js (only the bar and radar parts), coloured from the VS Code theme variables like
// the results panel's radar, redrawn when the theme changes.
import '../common/zod-csp';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip,
} from 'chart.js';
import { DIMENSION_LABELS, DIMENSIONS } from '../../src/shared/model';
import {
  compareProtocol,
  type CompareReportView,
  type CompareToHost,
  type CompareToWebview,
  type SideBySideView,
} from '../../src/shared/protocols/compare';
import { el, linkButton, safeMediaUri, tableHead } from '../common/dom';
import { WebviewHost } from '../common/host';
import { signalRendered } from '../common/rendered';
import { cssVar, currentThemeKind, withAlpha, watchTheme } from '../common/theme';
import { reduce, restoreState, type State } from './state';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  RadarController,
  RadialLinearScale,
  LineElement,
  PointElement,
  Filler,
  Tooltip,
  Legend,
);

const host = new WebviewHost<CompareToWebview, CompareToHost, State>(compareProtocol, onMessage);

const root = document.getElementById('root')!;
const charts: Chart[] = [];
let redraw: (() => void) | undefined;

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '—' : x.toFixed(d));

/** One colour per model from the theme's chart palette (as the results panel's radar uses). */
function modelColours(n: number): string[] {
  const names = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];
  const fallback = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
  return Array.from({ length: n }, (_, i) => cssVar(`--vscode-charts-${names[i % names.length]}`, fallback[i % fallback.length]!));
}

function chartTheme() {
  const highContrast = currentThemeKind().startsWith('high-contrast');
  const fg = cssVar('--vscode-foreground', '#cccccc');
  const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#80808059'));
  return {
    fg,
    grid: highContrast ? cssVar('--vscode-contrastBorder', grid) : grid,
    font: cssVar('--vscode-font-family', 'sans-serif'),
    highContrast,
  };
}

function clearCharts(): void {
  for (const c of charts.splice(0)) c.destroy();
}

function canvas(label: string, height: number): HTMLCanvasElement {
  return el('canvas', { attrs: { role: 'img', 'aria-label': label, height } });
}

function renderCompare(folder: string, r: CompareReportView, picks: { promptKey: string; video: string }[]): void {
  clearCharts();
  const colours = modelColours(r.models.length);
  const colourOf = (m: string) => colours[r.models.indexOf(m)]!;
  const pct = Math.round(r.level * 100);
  const boardCanvas = canvas(`Mean ${r.metric} per model with ${pct} % intervals`, 60 + 36 * r.leaderboard.length);
  const dimsCanvas = canvas('Per-dimension scores per model', 260);
  const radarCanvas = canvas('Radar of the dimensions per model', 320);

  const pickOf = new Map(picks.map((p) => [p.promptKey, p.video]));
  const board = el(
    'table',
    { className: 'leaderboard' },
    tableHead('Rank', 'Model', 'Clips', `Overall [${pct} % CI]`, ...DIMENSIONS.map((d) => DIMENSION_LABELS[d])),
    el(
      'tbody',
      null,
      ...r.leaderboard.map((s) => {
        const o = s.metrics.overall;
        return el(
          'tr',
          null,
          el('td', null, String(s.rank)),
          el('td', null, el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } }), s.model),
          el('td', null, String(s.clips)),
          el(
            'td',
            null,
            fmt(o?.mean),
            o?.interval ? el('span', { className: 'ci' }, ` [${fmt(o.interval.low)}, ${fmt(o.interval.high)}]`) : null,
          ),
          ...DIMENSIONS.map((d) => el('td', null, fmt(s.metrics[d]?.mean))),
        );
      }),
    ),
  );
  board
    .querySelectorAll<HTMLElement>('tbody .swatch')
    .forEach((sw, i) => sw.style.setProperty('background', colourOf(r.leaderboard[i]!.model)));
  const pairs = el(
    'table',
    { className: 'pairs' },
    tableHead('Model A', 'Model B', 'Win', 'Tie', 'Loss', 'p (sign test)', `Mean A − B [${pct} % CI]`),
    el(
      'tbody',
      null,
      ...r.pairs.map((p) =>
        el(
          'tr',
          null,
          el('td', null, p.a),
          el('td', null, p.b),
          el('td', null, String(p.wins)),
          el('td', null, String(p.ties)),
          el('td', null, String(p.losses)),
          el('td', null, p.p < 0.001 ? p.p.toExponential(1) : p.p.toFixed(3)),
          el('td', null, `${fmt(p.meanDifference)} [${fmt(p.interval.low)}, ${fmt(p.interval.high)}]`),
        ),
      ),
    ),
  );
  const prompts = el(
    'table',
    { className: 'prompts' },
    tableHead('Prompt', ...r.models),
    el(
      'tbody',
      null,
      ...r.prompts.map((row) =>
        el(
          'tr',
          { className: row.complete ? 'prompt-row' : 'prompt-row incomplete', dataset: { key: row.key } },
          el(
            'td',
            null,
            linkButton(row.key, 'Show the clips side by side', () => host.post('compare/openPrompt', { key: row.key })),
            row.prompt !== row.key ? el('div', { className: 'muted' }, row.prompt) : null,
          ),
          ...r.models.map((m) => {
            const x = row.models[m];
            if (!x) return el('td', { className: 'muted' }, '—');
            const picked = x.clips.includes(pickOf.get(row.key) ?? '\u0000');
            return el(
              'td',
              { className: picked ? 'picked' : '', title: picked ? 'best-of-N pick' : undefined },
              picked ? '★ ' : '',
              fmt(x.scores[r.metric]),
            );
          }),
        ),
      ),
    ),
  );
  root.replaceChildren(
    el(
      'header',
      null,
      el('h1', null, `Compare: ${folder}`),
      el(
        'p',
        { className: 'muted' },
        `${r.models.length} models on ${r.promptsCompared} prompts every model has (grouped by ${r.method}); ${pct} % bootstrap intervals over prompts (${r.resamples} resamples, seed ${r.seed}); ranked by ${r.metric}.`,
      ),
    ),
    el(
      'section',
      { className: 'charts' },
      el('div', { className: 'chart board' }, boardCanvas),
      el('div', { className: 'chart radar' }, radarCanvas),
    ),
    el('div', { className: 'chart dims' }, dimsCanvas),
    el('h2', null, 'Leaderboard'),
    board,
    el('h2', null, 'Pairs'),
    el(
      'p',
      { className: 'muted' },
      `Win/tie/loss over prompts; p from the ${r.test} over untied prompts; the mean difference with its paired bootstrap interval.`,
    ),
    pairs,
    el('h2', null, 'Per prompt'),
    el('p', { className: 'muted' }, 'Click a prompt to see its clips side by side; ★ marks the best-of-N pick across models.'),
    prompts,
  );

  redraw = () => {
    clearCharts();
    const t = chartTheme();
    const colours2 = modelColours(r.models.length);
    Chart.defaults.color = t.fg;
    Chart.defaults.font.family = t.font;
    const scale = { grid: { color: t.grid }, ticks: { color: t.fg }, border: { color: t.grid } };
    // What every chart of the leaderboard shares: drawn at once, sized by its box, legend in the theme.
    const shared = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { labels: { color: t.fg } } },
    } as const;
    const dimensionMeans = (model: string) =>
      DIMENSIONS.map((d) => r.leaderboard.find((s) => s.model === model)?.metrics[d]?.mean ?? null) as number[];
    /** One dataset per model over the five dimensions, styled by the model's index. */
    const perModelDimensions = <S extends object>(style: (i: number) => S) => ({
      labels: DIMENSIONS.map((d) => DIMENSION_LABELS[d]),
      datasets: r.models.map((m, i) => ({ label: m, data: dimensionMeans(m), ...style(i) })),
    });
    charts.push(
      new Chart(boardCanvas, {
        type: 'bar',
        data: {
          labels: r.leaderboard.map((s) => `${s.rank}. ${s.model}`),
          datasets: [
            {
              label: `mean ${r.metric}`,
              data: r.leaderboard.map((s) => s.metrics[r.metric]?.mean ?? 0),
              backgroundColor: r.leaderboard.map((s) => withAlpha(colours2[r.models.indexOf(s.model)]!, t.highContrast ? 1 : 0.6)),
              barPercentage: 0.7,
              grouped: false,
            },
            {
              label: `${pct} % interval`,
              data: r.leaderboard.map((s) => {
                const i = s.metrics[r.metric]?.interval;
                return i ? [i.low, i.high] : null;
              }) as unknown as number[],
              backgroundColor: t.fg,
              barPercentage: 0.15,
              grouped: false,
            },
          ],
        },
        options: { ...shared, indexAxis: 'y', scales: { x: { ...scale, min: 0, max: 1 }, y: scale } },
      }),
      new Chart(dimsCanvas, {
        type: 'bar',
        data: perModelDimensions((i) => ({ backgroundColor: withAlpha(colours2[i]!, t.highContrast ? 1 : 0.7) })),
        options: { ...shared, scales: { y: { ...scale, min: 0, max: 1 }, x: scale } },
      }),
      new Chart(radarCanvas, {
        type: 'radar',
        data: perModelDimensions((i) => ({
          borderColor: colours2[i],
          backgroundColor: withAlpha(colours2[i]!, t.highContrast ? 0 : 0.15),
          borderWidth: t.highContrast ? 3 : 2,
        })),
        options: {
          ...shared,
          scales: {
            r: {
              min: 0,
              max: 1,
              grid: { color: t.grid },
              angleLines: { color: t.grid },
              pointLabels: { color: t.fg },
              ticks: { color: t.fg, backdropColor: 'transparent', stepSize: 0.25 },
            },
          },
        },
      }),
    );
  };
  redraw();
  signalRendered('full');
}

function renderSideBySide(v: SideBySideView): void {
  clearCharts();
  redraw = undefined;
  const cols = v.clips.length;
  const grid = el('div', { className: 'sbs', attrs: { role: 'table', 'aria-label': `Clips of ${v.promptKey} side by side` } });
  grid.style.setProperty('--cols', String(cols));
  const headerCells = v.clips.map((c) =>
    el(
      'div',
      { className: `sbs-clip${c.picked ? ' picked' : ''}`, attrs: { role: 'columnheader' } },
      el('div', { className: 'model' }, c.picked ? '★ ' : '', c.model),
      linkButton(c.video, 'Open the video', () => host.post('compare/openFile', { relPath: c.video }), 'path'),
      el('div', null, 'Overall ', el('b', null, fmt(c.overall))),
      el(
        'div',
        { className: 'frames' },
        ...c.frames
          .map((f) => ({ f, src: safeMediaUri(f.uri) }))
          .filter((x) => x.src)
          .map(({ f, src }) => el('img', { attrs: { src: src!, alt: `frame at ${f.timeSec.toFixed(2)} s`, loading: 'lazy' } })),
        c.frames.length === 0 ? el('span', { className: 'muted' }, 'No cached frames') : null,
      ),
    ),
  );
  grid.append(el('div', { className: 'sbs-q head', attrs: { role: 'columnheader' } }, 'Question'), ...headerCells);
  let lastDimension = '';
  for (const row of v.rows) {
    if (row.dimension !== lastDimension) {
      lastDimension = row.dimension;
      grid.append(el('div', { className: 'sbs-dim', attrs: { role: 'rowheader' } }, DIMENSION_LABELS[row.dimension]));
    }
    grid.append(
      el(
        'div',
        { className: `sbs-q${row.differs ? ' differs' : ''}`, attrs: { role: 'rowheader' } },
        el('div', null, row.text),
        el(
          'div',
          { className: 'muted' },
          `${row.entity} · ${row.polarity === 'positive' ? 'Yes is good' : 'No is good'}${row.differs ? ' · answers differ' : ''}`,
        ),
      ),
      ...row.answers.map((a) =>
        a === null
          ? el('div', { className: 'sbs-a muted', attrs: { role: 'cell' } }, 'not asked')
          : el(
              'div',
              {
                className: `sbs-a${row.differs ? ' differs' : ''}${a.score !== null && a.score < 0.5 ? ' bad' : ''}`,
                attrs: { role: 'cell' },
              },
              el('div', null, el('b', null, a.answer ?? 'no answer'), ` P(yes) ${fmt(a.pYes, 2)} · score ${fmt(a.score, 2)}`),
              a.error ? el('div', { className: 'error' }, a.error) : null,
              a.reason ? el('div', { className: 'reason' }, a.reason) : null,
            ),
      ),
    );
  }
  const differing = v.rows.filter((r) => r.differs).length;
  root.replaceChildren(
    el(
      'header',
      null,
      el('h1', null, v.promptKey),
      el('p', { className: 'prompt' }, v.prompt),
      el('p', { className: 'muted' }, `${v.rows.length} questions, ${differing} answered differently (highlighted).`),
    ),
    grid,
  );
  signalRendered('full');
}

function render(state: State): void {
  switch (state.page) {
    case 'empty':
      return;
    case 'compare':
      renderCompare(state.show.folder, state.show.report, state.show.picks);
      return;
    case 'sideBySide':
      renderSideBySide(state.view);
      return;
    case 'error':
      root.replaceChildren(el('p', { className: 'error' }, state.message));
      return;
  }
}

function onMessage(message: CompareToWebview): void {
  const state = reduce(message);
  host.setState(state);
  render(state);
}

// Replay the last page (a panel VS Code re-created), then ask for fresh data.
render(restoreState(host.getState()));
watchTheme(() => redraw?.());
host.ready();
