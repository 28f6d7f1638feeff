// The printed table (also pasted into the README): Markdown, so it reads in a terminal too.
import type { Figure } from './common';

function value(f: Figure): string {
  if (f.value === null) return '—';
  const unit = f.unit === '' ? '' : f.unit === '×' || f.unit === '%' ? f.unit : ` ${f.unit}`;
  return `${f.value}${unit}`;
}

function status(f: Figure): string {
  if (f.target === undefined) return 'reported';
  if (f.met === null) return 'not measured';
  return f.met ? 'met' : '**missed**';
}

export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [f.name, value(f), f.target ?? '—', status(f), f.detail ?? '']);
  const header = ['figure', 'measured', 'target', '', 'how'];
  const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return lines.join('\n');
}
