// The jobs in progress, each with its progress and a cancel button.
import type { Job } from '../../../src/shared/protocols/common';
import { el, icon } from '../../common/dom';
import { sidebarSection } from './section';

export class JobsView {
  private readonly list = el('ul', { className: 'jobs', attrs: { 'aria-label': 'Jobs in progress' } });
  readonly element = sidebarSection('jobs', { text: 'Running', icon: 'sync' }, this.list);

  constructor(cancel: (id: string) => void) {
    this.list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-job-id]');
      if (button?.dataset['jobId']) {
        button.disabled = true;
        cancel(button.dataset['jobId']);
      }
    });
  }

  render(jobs: readonly Job[]): void {
    this.element.hidden = jobs.length === 0;
    const fragment = document.createDocumentFragment();
    for (const job of jobs) {
      const bar = el('vscode-progress-bar', { attrs: { 'aria-label': `Progress of ${job.label}` } });
      if (job.total > 0) {
        bar.max = job.total;
        bar.value = job.done;
      } else bar.indeterminate = true;
      fragment.append(
        el(
          'li',
          { className: 'job', dataset: { jobId: job.id } },
          el(
            'div',
            { className: 'job-line' },
            el('span', { className: 'job-label', title: job.label }, job.label),
            el(
              'button',
              {
                className: 'tool-btn icon-only',
                dataset: { jobId: job.id },
                title: `Cancel ${job.label}`,
                attrs: { 'aria-label': `Cancel ${job.label}` },
              },
              icon('close'),
            ),
          ),
          bar,
          el('div', { className: 'job-phase' }, job.total > 0 ? `${job.phase} · ${job.done} / ${job.total}` : job.phase),
        ),
      );
    }
    this.list.replaceChildren(fragment);
  }
}
