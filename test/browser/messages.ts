// Builders for the messages the extension sends, typed by the webviews' protocols so a test cannot
// send a shape the extension could not, and computed with the functions the extension computes
// them with (src/shared/display.ts), so a test sends what the host would.
import type { AnsweredQuestion, Labels, Question, Result } from '../../src/core/types';
import { applyOverridesToResult, displayQuestions, effectiveWeights, NOTHING_DISPLAYED, resultHeader } from '../../src/shared/display';
import { makeMessage, type ParamsOf } from '../../src/shared/protocols/envelope';
import type { ResultsToWebview } from '../../src/shared/protocols/results';
import type { SidebarToWebview } from '../../src/shared/protocols/sidebar';
import type { Harness } from './harness';

export function toResults<K extends ResultsToWebview['method']>(method: K, params: ParamsOf<ResultsToWebview, K>) {
  return makeMessage<ResultsToWebview, K>('notification', method, params);
}

export function toSidebar<K extends SidebarToWebview['method']>(method: K, params: ParamsOf<SidebarToWebview, K>) {
  return makeMessage<SidebarToWebview, K>('notification', method, params);
}

export interface ShowOptions {
  labels?: Labels | null;
  video?: boolean;
  frames?: boolean;
  theme?: 'light' | 'dark';
}

function videoView(harness: Harness, options: ShowOptions): ParamsOf<ResultsToWebview, 'results/show'>['video'] {
  return {
    name: 'chef-tomato.mp4',
    relPath: 'clips/chef-tomato.mp4',
    promptFile: 'clips/chef-tomato.txt',
    frames: options.frames === false ? [] : harness.media.frames.map((f) => ({ uri: harness.origin + f.path, timeSec: f.timeSec })),
    ...(options.video !== false && harness.media.video ? { videoUri: harness.origin + harness.media.video } : {}),
  };
}

/** `results/show` of a saved result (or of a video never scored), as the results index displays it. */
export function showMessage(harness: Harness, result: Result | null, options: ShowOptions = {}) {
  return toResults('results/show', {
    video: videoView(harness, options),
    theme: options.theme ?? 'dark',
    header: result ? resultHeader(result) : null,
    prompt: result?.prompt ?? null,
    displayed: result ? applyOverridesToResult(result, options.labels ?? null) : NOTHING_DISPLAYED,
  });
}

/** The question of an unanswered row (a score in progress). */
export function unanswered(q: Question): AnsweredQuestion {
  return { ...q, answer: null, reason: null, pYes: null, pNo: null, score: null, probabilitySource: null, error: null };
}

/** `results/show` of a score starting: every question pending. */
export function scoringShowMessage(harness: Harness, prompt: string, questions: Question[], options: ShowOptions = {}) {
  return toResults('results/show', {
    video: videoView(harness, options),
    theme: options.theme ?? 'dark',
    header: null,
    prompt,
    displayed: displayQuestions(questions.map(unanswered), null, {}),
  });
}

/** `results/answer` for `answered`, the last of the answers so far (`rows`: every row, answered or not). */
export function answerMessage(rows: AnsweredQuestion[], answered: AnsweredQuestion, labels: Labels | null = null) {
  const { questions, ...scores } = displayQuestions(rows, labels, {});
  return toResults('results/answer', { question: questions.find((q) => q.id === answered.id)!, scores });
}

/** `sidebar/details` of a video and its result, as the results index displays it. */
export function detailsMessage(videoRelPath: string, result: Result | null, labels: Labels | null = null) {
  return toSidebar('sidebar/details', {
    target: { videoRelPath },
    header: result ? resultHeader(result) : null,
    displayed: result ? applyOverridesToResult(result, labels, effectiveWeights(result)) : null,
  });
}
