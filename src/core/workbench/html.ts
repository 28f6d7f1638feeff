// One self-contained HTML file for `finger compare --format html` and `finger report --format
// html` (README, "Comparing models"): inline CSS and JS under a Content-Security-Policy that allows
// nothing else (no network, opens offline), charts drawn as inline SVG, and per clip its scores,
// failing questions with reasons and a few frame thumbnails (from the frame cache, as data: URLs,
// within a size cap). Every piece of model or file text goes through escapeHtml, as the webviews
// insert such text only as text.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { escapeHtml, htmlPage } from '../../shared/html';
import { FrameCache, frameCacheKey } from '../video/cache';
import { cacheDir } from '../store';
import { DIMENSIONS, DIMENSION_LABELS, type Result } from '../types';
import type { BestOfNReport } from './best-of-n';
import { METRICS, type CompareReport, type Metric } from './compare';

export { escapeHtml };

const PALETTE = ['#3b82f6', '#f97316', '#10b981', '#a855f7', '#ef4444', '#14b8a6', '#eab308', '#64748b'];
const colour = (i: number) => PALETTE[i % PALETTE.length]!;
const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '—' : x.toFixed(d));
const metricLabel = (m: Metric) => (m === 'overall' ? 'Overall' : DIMENSION_LABELS[m]);

/** A question fails when its score (the probability of the good answer) is below ½, or it has no answer. */
const failing = (q: Result['questions'][number]) => q.error !== null || (q.score !== null && q.score < 0.5);

export interface HtmlClip {
  video: string;
  model?: string;
  result: Result;
}

export interface HtmlOptions {
  workspace: string;
  title: string;
  /** Bytes of frame thumbnails in the whole file at most (default 4 MiB). */
  thumbnailBytes?: number;
  /** Thumbnails per clip (default 3). */
  thumbnailsPerClip?: number;
  /** Written in the header; default now. */
  generatedAt?: string;
}

// ── charts (inline SVG) ──────────────────────────────────────────────────────────────────────────

function intervalChart(r: CompareReport): string {
  const rowH = 28;
  const left = 160;
  const width = 640;
  const plot = width - left - 60;
  const x = (v: number) => left + v * plot;
  const rows = r.leaderboard.map((s, i) => {
    const m = s.metrics[r.metric];
    const y = 20 + i * rowH;
    const idx = r.models.indexOf(s.model);
    const bar =
      m.mean === null
        ? ''
        : `<rect x="${left}" y="${y}" width="${(m.mean * plot).toFixed(1)}" height="${rowH - 10}" fill="${colour(idx)}" opacity="0.8"/>`;
    const whisker = m.interval
      ? `<line x1="${x(m.interval.low).toFixed(1)}" x2="${x(m.interval.high).toFixed(1)}" y1="${y + (rowH - 10) / 2}" y2="${y + (rowH - 10) / 2}" stroke="currentColor" stroke-width="2"/>` +
        `<line x1="${x(m.interval.low).toFixed(1)}" x2="${x(m.interval.low).toFixed(1)}" y1="${y + 2}" y2="${y + rowH - 12}" stroke="currentColor" stroke-width="2"/>` +
        `<line x1="${x(m.interval.high).toFixed(1)}" x2="${x(m.interval.high).toFixed(1)}" y1="${y + 2}" y2="${y + rowH - 12}" stroke="currentColor" stroke-width="2"/>`
      : '';
    return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${s.rank}. ${escapeHtml(s.model)}</text>${bar}${whisker}<text x="${(x(m.interval?.high ?? m.mean ?? 0) + 6).toFixed(1)}" y="${y + 14}">${fmt(m.mean)}</text>`;
  });
  const h = 30 + r.leaderboard.length * rowH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      `<line x1="${x(t)}" x2="${x(t)}" y1="12" y2="${h - 12}" class="grid"/><text x="${x(t)}" y="${h}" text-anchor="middle" class="tick">${t}</text>`,
  );
  return `<svg class="chart" role="img" aria-label="${escapeHtml(`${metricLabel(r.metric)} per model with ${Math.round(r.level * 100)} % intervals`)}" viewBox="0 0 ${width} ${h + 4}" width="${width}">${ticks.join('')}${rows.join('')}</svg>`;
}

function dimensionBars(r: CompareReport): string {
  const groupW = 120;
  const left = 30;
  const height = 200;
  const barW = Math.max(6, Math.min(22, (groupW - 20) / r.models.length));
  const width = left + DIMENSIONS.length * groupW + 10;
  const parts: string[] = [];
  DIMENSIONS.forEach((d, gi) => {
    const gx = left + gi * groupW + 10;
    r.models.forEach((m, mi) => {
      const v = r.leaderboard.find((s) => s.model === m)!.metrics[d].mean;
      if (v === null) return;
      const bh = v * (height - 40);
      parts.push(
        `<rect x="${gx + mi * barW}" y="${(height - 30 - bh).toFixed(1)}" width="${barW - 2}" height="${bh.toFixed(1)}" fill="${colour(mi)}"><title>${escapeHtml(`${m} · ${DIMENSION_LABELS[d]}: ${fmt(v)}`)}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${gx + (r.models.length * barW) / 2}" y="${height - 12}" text-anchor="middle" class="tick">${escapeHtml(DIMENSION_LABELS[d].split(' ')[0]!)}</text>`,
    );
  });
  const grid = [0, 0.5, 1].map(
    (t) =>
      `<line x1="${left}" x2="${width}" y1="${height - 30 - t * (height - 40)}" y2="${height - 30 - t * (height - 40)}" class="grid"/><text x="${left - 4}" y="${height - 26 - t * (height - 40)}" text-anchor="end" class="tick">${t}</text>`,
  );
  return `<svg class="chart" role="img" aria-label="Per-dimension scores per model" viewBox="0 0 ${width} ${height}" width="${width}">${grid.join('')}${parts.join('')}</svg>`;
}

function radar(r: CompareReport): string {
  const size = 320;
  const c = size / 2;
  const rad = c - 60;
  const angle = (i: number) => -Math.PI / 2 + (2 * Math.PI * i) / DIMENSIONS.length;
  const pt = (i: number, v: number) => `${(c + Math.cos(angle(i)) * rad * v).toFixed(1)},${(c + Math.sin(angle(i)) * rad * v).toFixed(1)}`;
  const rings = [0.25, 0.5, 0.75, 1].map(
    (t) => `<polygon points="${DIMENSIONS.map((_, i) => pt(i, t)).join(' ')}" class="grid" fill="none"/>`,
  );
  const axes = DIMENSIONS.map((d, i) => {
    const [lx, ly] = pt(i, 1.18).split(',');
    return `<line x1="${c}" y1="${c}" x2="${pt(i, 1).split(',')[0]}" y2="${pt(i, 1).split(',')[1]}" class="grid"/><text x="${lx}" y="${ly}" text-anchor="middle" class="tick">${escapeHtml(DIMENSION_LABELS[d])}</text>`;
  });
  const shapes = r.models.map((m, mi) => {
    const s = r.leaderboard.find((x) => x.model === m)!;
    const pts = DIMENSIONS.map((d, i) => pt(i, s.metrics[d].mean ?? 0)).join(' ');
    return `<polygon points="${pts}" fill="${colour(mi)}" fill-opacity="0.15" stroke="${colour(mi)}" stroke-width="2"><title>${escapeHtml(m)}</title></polygon>`;
  });
  // Room on both sides for the axis labels.
  return `<svg class="chart" role="img" aria-label="Radar of the dimensions per model" viewBox="-70 0 ${size + 140} ${size}" width="${size + 140}">${rings.join('')}${axes.join('')}${shapes.join('')}</svg>`;
}

function legend(models: readonly string[]): string {
  return `<p class="legend">${models.map((m, i) => `<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${colour(i)}"/></svg> ${escapeHtml(m)}</span>`).join(' ')}</p>`;
}

// ── sections ─────────────────────────────────────────────────────────────────────────────────────

function table(header: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function compareSection(r: CompareReport, picks?: BestOfNReport): string {
  const pct = Math.round(r.level * 100);
  const board = table(
    ['Rank', 'Model', 'Clips', ...METRICS.map((m) => escapeHtml(metricLabel(m)))],
    r.leaderboard.map((s) => [
      String(s.rank),
      `<b>${escapeHtml(s.model)}</b>`,
      String(s.clips),
      ...METRICS.map((m) => {
        const x = s.metrics[m];
        return x.interval ? `${fmt(x.mean)} <span class="ci">[${fmt(x.interval.low)}, ${fmt(x.interval.high)}]</span>` : fmt(x.mean);
      }),
    ]),
    'leaderboard',
  );
  const pairs = table(
    ['Model A', 'Model B', 'Win', 'Tie', 'Loss', 'p (sign test)', `Mean A − B [${pct} % CI]`],
    r.pairs.map((p) => [
      escapeHtml(p.a),
      escapeHtml(p.b),
      String(p.wins),
      String(p.ties),
      String(p.losses),
      p.p < 0.001 ? p.p.toExponential(1) : p.p.toFixed(3),
      `${fmt(p.meanDifference)} [${fmt(p.interval.low)}, ${fmt(p.interval.high)}]`,
    ]),
  );
  const pickOf = new Map(picks?.picks.map((p) => [p.promptKey, p.best.video]) ?? []);
  const prompts = table(
    ['Prompt', ...r.models.map(escapeHtml)],
    r.prompts.map((row) => [
      `<span class="key">${escapeHtml(row.key)}</span>${row.key !== row.prompt ? `<br><span class="prompt">${escapeHtml(row.prompt)}</span>` : ''}${row.complete ? '' : ' <em>(left out: not every model has it)</em>'}`,
      ...r.models.map((m) => {
        const x = row.models[m];
        if (!x) return '—';
        const picked = x.clips.includes(pickOf.get(row.key) ?? '\u0000');
        return `${picked ? '<b title="best-of-N pick">★ ' : ''}${fmt(x.scores[r.metric])}${picked ? '</b>' : ''}`;
      }),
    ]),
    'prompts',
  );
  return `<section id="leaderboard"><h2>Leaderboard</h2>
<p class="note">${r.models.length} models on ${r.promptsCompared} prompts every model has (grouped by ${escapeHtml(r.method)}); ${pct} % bootstrap intervals over prompts (${r.resamples} resamples, seed ${r.seed}); ranked by ${escapeHtml(metricLabel(r.metric))}.</p>
${legend(r.models)}
<div class="charts">${intervalChart(r)}${radar(r)}</div>
${dimensionBars(r)}
${board}
<h3>Pairs</h3><p class="note">Win/tie/loss over prompts by ${escapeHtml(metricLabel(r.metric))}; p from the exact two-sided sign test over untied prompts; the interval of the mean difference from a paired bootstrap.</p>
${pairs}
<h3>Per prompt</h3><p class="note">${escapeHtml(metricLabel(r.metric))} of each model's clip(s); ★ the best-of-N pick across models.</p>
${prompts}</section>`;
}

async function thumbnails(workspace: string, r: Result, count: number, budget: { left: number }, cache: FrameCache): Promise<string> {
  if (count <= 0 || r.sampling.mode === 'file') return '';
  const key = frameCacheKey(r.video.sha256, r.sampling);
  const list = await cache.frameList(key);
  if (!list || list.length === 0) return '<p class="note">No cached frames (score the clip again to see thumbnails).</p>';
  const picks = [
    ...new Set(
      Array.from({ length: Math.min(count, list.length) }, (_, i) =>
        Math.round((i * (list.length - 1)) / Math.max(1, Math.min(count, list.length) - 1)),
      ),
    ),
  ];
  const files =
    cache.framePaths(
      key,
      picks.map((i) => list[i]!),
    ) ?? [];
  const imgs: string[] = [];
  for (const f of files) {
    const bytes = await readFile(f.file).catch(() => undefined);
    if (!bytes) continue;
    const encoded = Math.ceil(bytes.length / 3) * 4;
    if (encoded > budget.left) return `${imgs.join('')}<p class="note">More thumbnails left out: the report's size cap was reached.</p>`;
    budget.left -= encoded;
    imgs.push(`<img alt="${escapeHtml(`frame at ${f.timeSec.toFixed(2)} s`)}" src="data:image/jpeg;base64,${bytes.toString('base64')}">`);
  }
  return `<div class="frames">${imgs.join('')}</div>`;
}

export async function clipsSection(clips: readonly HtmlClip[], o: HtmlOptions): Promise<string> {
  const budget = { left: o.thumbnailBytes ?? 4 * 1024 * 1024 };
  const cache = new FrameCache({ dir: cacheDir(o.workspace, 'frames'), maxBytes: 0 });
  const parts: string[] = [];
  for (const c of clips) {
    const r = c.result;
    const bad = r.questions.filter(failing);
    const dims = DIMENSIONS.map(
      (d) => `<span class="dim">${escapeHtml(DIMENSION_LABELS[d])} <b>${fmt(r.dimensions[d]?.score)}</b></span>`,
    ).join(' ');
    const rows = bad.map((q) => [
      escapeHtml(DIMENSION_LABELS[q.dimension]),
      escapeHtml(q.entity),
      escapeHtml(q.text),
      q.error ? `<span class="err">${escapeHtml(q.error)}</span>` : escapeHtml(q.answer ?? '—'),
      fmt(q.score, 2),
      escapeHtml(q.reason ?? ''),
    ]);
    parts.push(`<article class="clip" data-failing="${bad.length}">
<h3><span class="path">${escapeHtml(c.video)}</span>${c.model ? ` <span class="model">${escapeHtml(c.model)}</span>` : ''} <span class="overall">${fmt(r.overall)}</span></h3>
<p class="prompt">${escapeHtml(r.prompt)}</p>
<p>${dims}</p>
${await thumbnails(o.workspace, r, o.thumbnailsPerClip ?? 3, budget, cache)}
${bad.length ? `<details${bad.length <= 5 ? ' open' : ''}><summary>${bad.length} failing question(s)</summary>${table(['Dimension', 'Entity', 'Question', 'Answer', 'Score', 'Reason'], rows, 'failing')}</details>` : '<p class="note">No failing question.</p>'}
</article>`);
  }
  return `<section id="clips"><h2>Clips</h2>
<p><label>Filter <input id="filter" type="search" placeholder="path, model, prompt or question"></label> <label><input id="only-failing" type="checkbox"> only clips with failing questions</label> <span id="shown"></span></p>
${parts.join('\n')}</section>`;
}

const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; --bad: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --bad: #ff7b72; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 16px; }
h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; width: 100%; } th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; } th { overflow-wrap: normal; }
.chart { max-width: 100%; height: auto; color: var(--fg); } .chart text { fill: currentColor; font-size: 12px; } .chart .tick { fill: var(--muted); font-size: 11px; } .chart .grid { stroke: var(--line); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.legend span { margin-right: 12px; } .ci, .note, .prompt { color: var(--muted); } .err { color: var(--bad); }
.clip { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; margin: 12px 0; } .clip .overall { float: right; } .clip .model { color: var(--muted); font-weight: normal; }
.dim { margin-right: 10px; white-space: nowrap; } .frames img { height: 96px; margin-right: 6px; border-radius: 3px; }
.hidden { display: none; }
`;

/** Filters the clip list by text and by "failing only"; reads and sets text only. */
const SCRIPT = `
(function () {
  var input = document.getElementById('filter');
  var only = document.getElementById('only-failing');
  var shown = document.getElementById('shown');
  if (!input || !only) return;
  var clips = Array.prototype.slice.call(document.querySelectorAll('article.clip'));
  function apply() {
    var q = input.value.trim().toLowerCase();
    var n = 0;
    clips.forEach(function (c) {
      var ok = (!q || c.textContent.toLowerCase().indexOf(q) >= 0) && (!only.checked || c.getAttribute('data-failing') !== '0');
      c.classList.toggle('hidden', !ok);
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + clips.length + ' clips';
  }
  input.addEventListener('input', apply);
  only.addEventListener('change', apply);
  apply();
})();
`;

export function htmlDocument(title: string, body: string, generatedAt = new Date().toISOString()): string {
  const nonce = randomBytes(16).toString('base64');
  return htmlPage({
    title,
    csp: `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`,
    head: `<style nonce="${nonce}">${CSS}</style>`,
    body: `<header><h1>${escapeHtml(title)}</h1><p class="note">FingER report, generated ${escapeHtml(generatedAt)}. Scores are in [0, 1]; a question fails when the probability of the good answer is below 0.5.</p></header>
${body}
<script nonce="${nonce}">${SCRIPT}</script>`,
  });
}
