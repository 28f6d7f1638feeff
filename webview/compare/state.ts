// The Compare view's state: which page the panel shows (the leaderboard or one prompt's clips side
// by side) and what the extension last sent for it. The views render from it; it is what setState
// saves, so a panel VS Code re-creates shows its last page until fresh data arrives.
import type { CompareShowParams, CompareToWebview, SideBySideView } from '../../src/shared/protocols/compare';

export type State =
  | { version: 1; page: 'empty' }
  | { version: 1; page: 'compare'; show: CompareShowParams }
  | { version: 1; page: 'sideBySide'; view: SideBySideView }
  | { version: 1; page: 'error'; message: string };

export function initialState(): State {
  return { version: 1, page: 'empty' };
}

export function restoreState(saved: State | undefined): State {
  return saved?.version === 1 ? saved : initialState();
}

/** The state after one message from the extension (each message replaces the page). */
export function reduce(message: CompareToWebview): State {
  switch (message.method) {
    case 'compare/show':
      return { version: 1, page: 'compare', show: message.params };
    case 'compare/sideBySide':
      return { version: 1, page: 'sideBySide', view: message.params.view };
    case 'compare/error':
      return { version: 1, page: 'error', message: message.params.message };
  }
}
