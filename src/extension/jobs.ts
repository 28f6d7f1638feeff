// Scoring jobs: each runs under window.withProgress with a Cancel button wired to an
// AbortController, whose signal reaches the engine (HTTP requests and ffmpeg are aborted at once).
// The side panel lists running jobs and can cancel them too.
import * as vscode from 'vscode';
import { CancelledError, describeError, isAbortError } from '../core/errors';
import type { PipelineEvent, ScoreVideoOutcome } from '../core/pipeline';
import type { Templates } from '../core/templates';
import type { Protocol, QuestionSet } from '../core/types';
import type { Host } from './host';
import type { VideoTarget } from './locate';

export interface JobView {
  id: string;
  label: string;
  done: number;
  total: number;
  phase: string;
}

interface Job extends JobView {
  controller: AbortController;
}

export interface ScoreRequest {
  target: VideoTarget;
  /** How to score (default 'finger'). */
  protocol?: Protocol;
  /** A question set regenerated from edited templates (live templates); else the usual lookup. */
  questionSet?: QuestionSet;
  templates?: Templates;
}

export interface JobOutcome {
  target: VideoTarget;
  outcome?: ScoreVideoOutcome;
  error?: string;
  cancelled?: boolean;
}

const SCORING_CONTEXT = 'finger.scoring';

export class JobManager implements vscode.Disposable {
  private readonly jobs = new Map<string, Job>();
  private nextId = 1;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly events = new vscode.EventEmitter<{ target: VideoTarget; protocol: Protocol; event: PipelineEvent }>();
  /** Every pipeline event of every job, for the results panels (rows fill in as answers arrive). */
  readonly onPipelineEvent = this.events.event;

  constructor(private readonly host: Host) {}

  list(): JobView[] {
    return [...this.jobs.values()].map(({ id, label, done, total, phase }) => ({ id, label, done, total, phase }));
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    job?.controller.abort(new CancelledError());
    return Boolean(job);
  }

  cancelAll(): number {
    for (const j of this.jobs.values()) j.controller.abort(new CancelledError());
    return this.jobs.size;
  }

  private update(job: Job, patch: Partial<JobView>): void {
    Object.assign(job, patch);
    this.changed.fire();
  }

  /** Scores the videos one job at a time per video list; resolves when all are done or cancelled. */
  async score(requests: ScoreRequest[], title: string): Promise<JobOutcome[]> {
    const id = String(this.nextId++);
    const controller = new AbortController();
    const job: Job = { id, label: title, done: 0, total: requests.length, phase: 'starting', controller };
    this.jobs.set(id, job);
    this.changed.fire();
    await vscode.commands.executeCommand('setContext', SCORING_CONTEXT, true);
    const started = Date.now();
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `FingER: ${title}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort(new CancelledError()));
          return this.run(job, requests, progress);
        },
      );
    } finally {
      this.jobs.delete(id);
      this.changed.fire();
      this.host.logger.info(`Job "${title}" finished in ${Date.now() - started} ms`);
      if (this.jobs.size === 0) await vscode.commands.executeCommand('setContext', SCORING_CONTEXT, false);
    }
  }

  private async run(
    job: Job,
    requests: ScoreRequest[],
    progress: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<JobOutcome[]> {
    const signal = job.controller.signal;
    const logger = this.host.logger;
    const { createEngine, scoreVideo } = await import('../core/pipeline');
    const outcomes: JobOutcome[] = [];
    let engine: ReturnType<typeof createEngine> | undefined;
    const perVideo = 100 / Math.max(1, requests.length);
    try {
      const settings = await this.host.settings(requests[0] ? vscode.Uri.file(requests[0].target.workspaceRoot) : undefined);
      // The engine carries the settings; scoreVideo reads them from it, never from a second copy.
      const { PROTOCOLS } = await import('../core/protocols');
      engine = createEngine(settings.eval, {
        logger,
        endpointRequired: requests.some((r) => PROTOCOLS[r.protocol ?? 'finger'].needsEndpoint),
      });
      for (const [i, request] of requests.entries()) {
        if (signal.aborted) {
          outcomes.push({ target: request.target, cancelled: true });
          continue;
        }
        const { target } = request;
        const protocol = request.protocol ?? 'finger';
        const prefix = requests.length > 1 ? `${i + 1}/${requests.length} ${target.relPath}` : target.relPath;
        let lastAnswerFraction = 0;
        this.update(job, { label: requests.length > 1 ? job.label : target.relPath, phase: 'probe' });
        const t0 = Date.now();
        try {
          const outcome = await scoreVideo({
            videoPath: target.video,
            workspaceRoot: target.workspaceRoot,
            protocol,
            engine,
            signal,
            resultsDir: settings.resultsFolder,
            ...(settings.softScore ? { softScore: settings.softScore } : {}),
            ...(request.questionSet ? { questionSet: request.questionSet } : {}),
            ...(request.templates ? { templates: request.templates } : {}),
            onEvent: (event) => {
              this.events.fire({ target, protocol, event });
              if (event.type === 'phase') {
                progress.report({ message: `${prefix}: ${event.phase}` });
                this.update(job, { phase: event.phase });
              } else if (event.type === 'answer') {
                const fraction = event.done / Math.max(1, event.total);
                progress.report({
                  message: `${prefix}: ${event.done}/${event.total} answers`,
                  increment: (fraction - lastAnswerFraction) * perVideo,
                });
                lastAnswerFraction = fraction;
                if (requests.length === 1) this.update(job, { done: event.done, total: event.total, phase: 'answers' });
              }
            },
          });
          logger.info(
            `Scored ${target.relPath} in ${Date.now() - t0} ms: overall ${outcome.result.overall?.toFixed(3) ?? '—'}, ${outcome.requestsSent} request(s) sent, ${outcome.answersReused} answer(s) reused${outcome.note ? ` (${outcome.note})` : ''}`,
          );
          outcomes.push({ target, outcome });
        } catch (e) {
          if (isAbortError(e) || signal.aborted) {
            logger.info(`Cancelled scoring ${target.relPath} after ${Date.now() - t0} ms`);
            outcomes.push({ target, cancelled: true });
          } else {
            const message = describeError(e);
            logger.error(`Scoring ${target.relPath} failed: ${message}`);
            outcomes.push({ target, error: message });
          }
        }
        if (requests.length > 1) this.update(job, { done: i + 1 });
      }
    } catch (e) {
      // createEngine / settings failures concern every video
      const message = describeError(e);
      logger.error(message);
      for (const r of requests.slice(outcomes.length)) outcomes.push({ target: r.target, error: message });
    } finally {
      engine?.dispose();
    }
    return outcomes;
  }

  dispose(): void {
    this.cancelAll();
    this.changed.dispose();
    this.events.dispose();
  }
}

export function summarise(outcomes: JobOutcome[]): { ok: number; failed: JobOutcome[]; cancelled: number } {
  return {
    ok: outcomes.filter((o) => o.outcome).length,
    failed: outcomes.filter((o) => o.error),
    cancelled: outcomes.filter((o) => o.cancelled).length,
  };
}
