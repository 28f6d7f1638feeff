// The header: video name and path, who scored it and how, the overall score with the count of
// overridden answers, the prompt, and the Score / Open prompt buttons. Its custom elements are made
// once and updated in place: a full render (and a live answer) creates no new component, which
// would cost an upgrade, a shadow root and a Lit render.
import { formatScore } from '../../../src/shared/model';
import type { ResultsShowParams } from '../../../src/shared/protocols/results';
import { append, el, icon } from '../../common/dom';
import { baseName, dateTime, scoreClass } from '../../common/format';
import type { Derived } from '../state';

export class HeaderView {
  readonly element = el('header', { className: 'panel-header' });
  private readonly rescoreButton = el('vscode-button', { attrs: { icon: 'refresh' } });
  private readonly openPromptButton = el('vscode-button', { attrs: { secondary: true, icon: 'go-to-file' } }, 'Open prompt');
  private readonly actions = el('div', { className: 'actions' }, this.rescoreButton, this.openPromptButton);
  private readonly overallValue = el('span', { className: 'overall-value', dataset: { role: 'overall' } });
  private readonly overrideBadge = el('vscode-badge', { className: 'override-badge', title: 'Answers you overrode count in these scores' });
  private readonly overall = el(
    'div',
    { className: 'overall' },
    this.overallValue,
    el('span', { className: 'overall-label' }, 'Overall'),
    this.overrideBadge,
  );
  private promptFile: string | undefined;

  constructor(actions: { rescore(): void; openFile(relPath: string): void }) {
    this.rescoreButton.addEventListener('click', () => actions.rescore());
    this.openPromptButton.addEventListener('click', () => {
      if (this.promptFile) actions.openFile(this.promptFile);
    });
  }

  render(show: ResultsShowParams | null, derived: Derived): void {
    const header = show?.header ?? null;
    const name = show?.video.name ?? 'FingER results';
    const prompt = show?.prompt ?? null;
    this.promptFile = show?.video.promptFile;

    const meta: (string | null)[] = [
      header ? header.model : null,
      header ? dateTime(header.createdAt) : null,
      header && header.protocol !== 'finger' ? header.protocol : null,
      header ? `${header.sampling.frames} frames @ ${header.sampling.fps} fps (${header.sampling.mode})` : null,
    ];
    const metaEl = el('div', { className: 'meta' });
    meta
      .filter((m): m is string => m !== null)
      .forEach((m, i) => {
        if (i > 0) metaEl.append(el('span', { className: 'sep', attrs: { 'aria-hidden': 'true' } }, '·'));
        metaEl.append(el('span', null, m));
      });

    const rescoreLabel = header ? 'Re-score' : 'Score';
    if (this.rescoreButton.textContent !== rescoreLabel) this.rescoreButton.textContent = rescoreLabel;
    this.rescoreButton.title = header ? 'Score this video again (only changed questions are asked)' : 'Score this video';
    this.openPromptButton.hidden = !this.promptFile;
    if (this.promptFile) this.openPromptButton.title = `Open ${this.promptFile}`;
    this.renderOverall(derived);

    this.element.replaceChildren();
    append(this.element, [
      el(
        'div',
        { className: 'title-row' },
        el(
          'div',
          { className: 'title-block' },
          el('h1', { className: 'video-name' }, icon('device-camera-video'), ' ', el('span', { dataset: { role: 'video-name' } }, name)),
          show && show.video.relPath !== name ? el('div', { className: 'video-path' }, show.video.relPath) : null,
          metaEl,
        ),
        this.overall,
      ),
      prompt
        ? el(
            'blockquote',
            { className: 'prompt' },
            el('span', { className: 'prompt-label' }, 'Prompt'),
            el('span', { className: 'prompt-text', dataset: { role: 'prompt' } }, prompt),
            this.promptFile ? el('span', { className: 'prompt-file' }, baseName(this.promptFile)) : null,
          )
        : null,
      this.actions,
    ]);
  }

  /** The overall score and override count only (a live answer rebuilds nothing else here). */
  renderOverall({ displayed }: Derived): void {
    const overall = displayed.overall;
    this.overall.hidden = displayed.questions.length === 0;
    this.overallValue.textContent = formatScore(overall);
    this.overall.className = `overall ${scoreClass(overall)}`;
    this.overall.setAttribute('aria-label', `Overall score ${formatScore(overall)}`);
    this.overrideBadge.hidden = displayed.overriddenCount === 0;
    const badgeText = `${displayed.overriddenCount} overridden`;
    if (this.overrideBadge.textContent !== badgeText) this.overrideBadge.textContent = badgeText;
  }
}
