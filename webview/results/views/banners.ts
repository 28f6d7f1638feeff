// The banners above the scores: an error (with the file it names, which can be opened) and the
// questions that edited templates would add, remove or change (with Re-score). Dismissing one
// clears it from the state.
import { el, icon } from '../../common/dom';
import type { State } from '../state';

export interface BannerActions {
  rescore(): void;
  openFile(relPath: string): void;
  /** A banner was dismissed (its part of the state is already cleared). */
  dismissed(): void;
}

export class BannersView {
  readonly element = el('div', { className: 'banners', attrs: { 'aria-live': 'polite' } });

  constructor(private readonly actions: BannerActions) {}

  render(state: State): void {
    const fragment = document.createDocumentFragment();
    if (state.error) {
      const { message, file } = state.error;
      const buttons: HTMLElement[] = [];
      if (file) {
        const open = el('vscode-button', { attrs: { secondary: true } }, 'Open file');
        open.addEventListener('click', () => this.actions.openFile(file));
        buttons.push(open);
      }
      fragment.append(
        this.banner(
          'error',
          'error',
          [el('span', { className: 'banner-message' }, message), file ? el('span', { className: 'banner-file' }, file) : null],
          buttons,
          () => {
            state.error = null;
          },
        ),
      );
    }
    if (state.changes) {
      const { added, removed, changed } = state.changes;
      const summary = [
        added.length ? `${added.length} added` : '',
        removed.length ? `${removed.length} removed` : '',
        changed.length ? `${changed.length} changed` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const list = el('ul', { className: 'change-list' });
      for (const q of added)
        list.append(el('li', { className: 'change-added' }, el('span', { className: 'change-kind' }, 'added'), q.text));
      for (const q of removed)
        list.append(el('li', { className: 'change-removed' }, el('span', { className: 'change-kind' }, 'removed'), q.text));
      for (const c of changed) {
        list.append(
          el(
            'li',
            { className: 'change-changed' },
            el('span', { className: 'change-kind' }, 'changed'),
            el('del', null, c.before.text),
            ' → ',
            el('ins', null, c.after.text),
          ),
        );
      }
      const rescore = el('vscode-button', null, 'Re-score changed');
      rescore.addEventListener('click', () => this.actions.rescore());
      fragment.append(
        this.banner(
          'info',
          'info',
          [
            el('span', { className: 'banner-message' }, `Question templates changed: ${summary || 'no question differs'}.`),
            el('details', { className: 'change-details' }, el('summary', null, 'Show questions'), list),
          ],
          [rescore],
          () => {
            state.changes = null;
          },
        ),
      );
    }
    this.element.replaceChildren(fragment);
  }

  private banner(kind: 'error' | 'info', iconName: string, body: (Node | null)[], actions: HTMLElement[], clear: () => void): HTMLElement {
    const element = el(
      'div',
      { className: `banner banner-${kind}`, attrs: { role: kind === 'error' ? 'alert' : 'status' } },
      icon(iconName, 'banner-icon'),
      el('div', { className: 'banner-body' }, ...body),
      el('div', { className: 'banner-actions' }, ...actions),
    );
    const dismiss = el('button', { className: 'tool-btn icon-only', title: 'Dismiss', attrs: { 'aria-label': 'Dismiss' } }, icon('close'));
    dismiss.addEventListener('click', () => {
      clear();
      element.remove();
      this.actions.dismissed();
    });
    element.append(dismiss);
    return element;
  }
}
