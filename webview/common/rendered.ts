// The "render finished" signal for tests and the benchmark: after each full render or live update
// a panel sets window.__fingerRenderDone and dispatches a `finger:rendered` event on document.
export type RenderKind = 'full' | 'answer';

declare global {
  interface Window {
    __fingerRenderDone?: { kind: RenderKind; count: number };
  }
}

let count = 0;

export function signalRendered(kind: RenderKind): void {
  count++;
  window.__fingerRenderDone = { kind, count };
  document.dispatchEvent(new CustomEvent('finger:rendered', { detail: { kind, count } }));
}
