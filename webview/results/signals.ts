// The Signals strip of a signals result (README.md, "Signals without a GPU"): a timeline of the
// clip with the sampled frames along it and, per signal, a lane with the time ranges it flagged,
// each labelled with its value and verdict. Rendered from the result's `signals` report only
// (validated with ResultSchema in src/shared/protocol.ts); names and numbers go in as text.
import type { SignalsReport } from '../../src/shared/schemas';
import type { FrameRef } from '../../src/shared/protocols/results';
import { el, safeMediaUri } from '../common/dom';

type Report = SignalsReport;

const secs = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(2)} s`;

function place(node: HTMLElement, start: number, end: number, duration: number): void {
  const d = duration > 0 ? duration : 1;
  const left = Math.max(0, Math.min(1, start / d));
  const width = Math.max(0, Math.min(1 - left, (end - start) / d));
  // CSSOM properties, not a style attribute: allowed under the panel's CSP (no 'unsafe-inline').
  node.style.left = `${(left * 100).toFixed(3)}%`;
  node.style.width = `max(3px, ${(width * 100).toFixed(3)}%)`;
}

/** Fills `container` with the strip, or hides it when the result has no signals report. */
export function renderSignals(container: HTMLElement, report: Report | undefined, frames: readonly FrameRef[]): void {
  container.hidden = !report;
  if (!report) {
    container.replaceChildren();
    return;
  }
  const duration = report.durationSec;
  const failed = report.signals.filter((s) => !s.pass).length;
  const heading = el(
    'h2',
    { className: 'signals-title' },
    'Signals',
    el(
      'span',
      { className: `signals-summary ${failed ? 'failing' : 'passing'}` },
      failed ? `${failed} of ${report.signals.length} failed` : `all ${report.signals.length} passed`,
    ),
  );

  const filmstrip = el('div', { className: 'signals-frames', attrs: { 'aria-hidden': 'true' } });
  for (const f of frames) {
    const src = safeMediaUri(f.uri);
    if (!src) continue;
    const img = el('img', { attrs: { src, alt: '', loading: 'lazy', decoding: 'async' } });
    const slot = el('div', { className: 'signals-frame' }, img);
    place(slot, f.timeSec, f.timeSec, duration);
    slot.style.width = '';
    filmstrip.append(slot);
  }

  const lanes = el('ul', { className: 'signals-lanes', attrs: { 'aria-label': 'Signals over the clip' } });
  for (const s of report.signals) {
    const value = s.unit === 's' ? `${secs(s.value)} flagged` : `${s.value} ${s.unit}`;
    const track = el('div', { className: 'signals-track' });
    for (const r of s.ranges) {
      const label =
        r.end - r.start <= report.frameIntervalSec * 1.5 ? `${s.label} at ${secs(r.start)}` : `${s.label} ${secs(r.start)}–${secs(r.end)}`;
      const mark = el('span', {
        className: `signals-range ${s.pass ? 'note' : 'fail'}`,
        title: label,
        attrs: { role: 'img', 'aria-label': label },
      });
      place(mark, r.start, r.end, duration);
      track.append(mark);
    }
    lanes.append(
      el(
        'li',
        { className: `signals-lane ${s.pass ? 'pass' : 'fail'}`, dataset: { signal: s.id } },
        el('span', { className: 'signals-label' }, s.label),
        track,
        el('span', { className: 'signals-value', title: `passes when ${s.threshold}` }, `${s.pass ? '✓' : '✗'} ${value}`),
      ),
    );
  }
  const axis = el(
    'div',
    { className: 'signals-axis', attrs: { 'aria-hidden': 'true' } },
    el('span', null, '0 s'),
    el('span', null, secs(duration)),
  );
  container.replaceChildren(heading, el('div', { className: 'signals-timeline' }, filmstrip, lanes, axis));
}
