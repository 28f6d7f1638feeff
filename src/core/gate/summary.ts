// The Markdown summary for `$GITHUB_STEP_SUMMARY` (GitHub-flavoured Markdown): a table of clips
// with their scores and verdict, then each failing clip with its failing dimensions and worst
// questions. Model text and file names are escaped so they show as text: no HTML, no links, no
// table cells broken by a `|`.
import { DIMENSIONS, type Dimension } from '../types';
import { describeFailure, type GateReport } from './index';

/** Text as text in GitHub Markdown: HTML characters as entities, Markdown punctuation escaped,
 *  newlines folded (a table row is one line). */
export function mdText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/\r?\n+/g, ' ');
}

const score = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

export function markdownSummary(reports: readonly { protocol: string; report: GateReport }[]): string {
  const out: string[] = [];
  for (const { protocol, report } of reports) {
    const total = report.clips.length;
    const gates =
      Object.entries(report.thresholds)
        .map(([k, v]) => `\`${k}\` ≥ ${v}`)
        .join(', ') || 'none';
    out.push(`## FingER ${mdText(protocol)}: ${report.failed === 0 ? '✅' : '❌'} ${report.passed} of ${total} clips passed`, '');
    out.push(`Gates: ${gates}.`, '');
    const dims = DIMENSIONS.filter((d) => report.clips.some((c) => c.result?.dimensions[d] !== undefined));
    out.push(`| clip | verdict | overall | ${dims.join(' | ')} |`);
    out.push(`| --- | --- | ---: |${dims.map(() => ' ---: |').join('')}`);
    for (const c of report.clips) {
      const cells = dims.map((d: Dimension) => score(c.result?.dimensions[d]?.score));
      out.push(`| ${mdText(c.video)} | ${c.pass ? '✅ pass' : '❌ fail'} | ${score(c.result?.overall)} | ${cells.join(' | ')} |`);
    }
    out.push('');
    const failing = report.clips.filter((c) => !c.pass);
    if (failing.length > 0) {
      out.push('### Failures', '');
      for (const c of failing) {
        out.push(`#### ${mdText(c.video)}`, '');
        if (c.error) out.push(`- could not be scored: ${mdText(c.error)}`);
        for (const f of c.failures) out.push(`- **${mdText(f.label)}**: ${mdText(describeFailure(f))}`);
        for (const q of c.worst) {
          const entity = q.entity ? `${mdText(q.entity)}: ` : '';
          const why = q.error ?? q.reason;
          out.push(
            `  - ${entity}${mdText(q.text)} → **${q.answer ?? 'no answer'}**${q.score !== null ? ` (${q.score.toFixed(2)})` : ''}${why ? ` — ${mdText(why)}` : ''}`,
          );
        }
        out.push('');
      }
    }
  }
  return out.join('\n') + '\n';
}
