// Theme colours for canvas drawing (Chart.js cannot use CSS variables directly) and a watcher for
// VS Code's theme switches, which it signals by changing the classes on <body>.
import type { ThemeKind } from '../../src/shared/protocols/common';

export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

export function currentThemeKind(): ThemeKind {
  const classes = document.body.classList;
  if (classes.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.contains('vscode-high-contrast')) return 'high-contrast';
  if (classes.contains('vscode-light')) return 'light';
  return 'dark';
}

/** Calls `onChange` when the body's theme classes change (not for unrelated class changes). */
export function watchTheme(onChange: (kind: ThemeKind) => void): MutationObserver {
  let last = document.body.className;
  const observer = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    onChange(currentThemeKind());
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return observer;
}

let scratch: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour with its alpha multiplied by `alpha`, as rgba(); the 2D context normalises the
 *  colour forms VS Code themes use (#rgb, #rrggbbaa, rgb(), named) to #rrggbb or rgba(). */
export function withAlpha(color: string, alpha: number): string {
  scratch ??= document.createElement('canvas').getContext('2d');
  if (!scratch) return color;
  scratch.fillStyle = '#000000';
  scratch.fillStyle = color;
  const normal = String(scratch.fillStyle);
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(normal);
  if (hex) {
    const [r, g, b] = [hex[1], hex[2], hex[3]].map((h) => parseInt(h ?? '0', 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgba = /^rgba\(([^,]+),([^,]+),([^,]+),([^)]+)\)$/.exec(normal.replace(/\s/g, ''));
  if (rgba) return `rgba(${rgba[1]}, ${rgba[2]}, ${rgba[3]}, ${Number(rgba[4]) * alpha})`;
  return normal;
}

export function prefersReducedMotion(): boolean {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}
