// The progress of a score in progress, and the empty state of a video never scored.
import type { Progress } from '../../../src/shared/protocols/common';
import { el, icon } from '../../common/dom';

export class ProgressView {
  private readonly text = el('span', { className: 'progress-text' });
  private readonly bar = el('vscode-progress-bar', { attrs: { 'aria-label': 'Scoring progress' } });
  readonly element = el('div', { className: 'progress', hidden: true, attrs: { role: 'status' } }, this.bar, this.text);

  render(p: Progress | null): void {
    const active = p !== null && !(p.phase === 'done' || (p.total > 0 && p.done >= p.total && p.phase === 'save'));
    this.element.hidden = !active;
    if (!active || !p) return;
    if (p.total > 0) {
      this.bar.max = p.total;
      this.bar.value = p.done;
      this.bar.indeterminate = false;
    } else {
      this.bar.indeterminate = true;
    }
    this.text.textContent = p.total > 0 ? `${capitalize(p.phase)} ${p.done} / ${p.total}` : `${capitalize(p.phase)}…`;
  }
}

export class EmptyView {
  readonly element = el('div', { className: 'empty-state', hidden: true });

  constructor(private readonly rescore: () => void) {}

  /** Shown for a video the extension sent that has no questions yet. */
  render(unscored: boolean): void {
    const wasHidden = this.element.hidden;
    this.element.hidden = !unscored;
    if (!unscored || !wasHidden) return;
    const button = el('vscode-button', { attrs: { icon: 'play' } }, 'Score video');
    button.addEventListener('click', () => this.rescore());
    this.element.replaceChildren(
      icon('beaker', 'empty-icon'),
      el('p', null, 'This video has not been scored yet.'),
      el('p', { className: 'hint' }, 'FingER asks the model yes/no questions about each entity of the prompt and scores the answers.'),
      button,
    );
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
