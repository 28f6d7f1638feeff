// The protocol of the results panel (one WebviewPanel per video): what the extension sends it,
// what it posts back, and the state it saves with setState, which the panel serializer reads after
// a window reload. The webview renders only what it is sent; every score in it was computed by the
// extension (src/shared/display.ts).
import * as z from 'zod';
import { SignalsReportSchema } from '../schemas';
import { command, notification, readyCommand, webviewProtocol, type ParamsOf } from './envelope';
import {
  DisplayedQuestionSchema,
  DisplayedResultSchema,
  DisplayedScoresSchema,
  ProgressSchema,
  QuestionChangeSchema,
  ResultHeaderSchema,
  ThemeKindSchema,
} from './common';
import { AnswerSchema, ProtocolSchema, QuestionSchema } from '../schemas';

/** One sampled frame, already converted with `webview.asWebviewUri` (the frame cache folder must be
 *  in the panel's `localResourceRoots`). */
export const FrameRefSchema = z.object({ uri: z.string(), timeSec: z.number().min(0) });
export type FrameRef = z.infer<typeof FrameRefSchema>;

export const VideoViewSchema = z.object({
  /** File name shown in the header (`clip.mp4`). */
  name: z.string(),
  /** Workspace-relative path with forward slashes; the key for `results/openFile`. */
  relPath: z.string(),
  /** Name of the workspace folder `relPath` is relative to (several folders may be open). */
  workspaceFolder: z.string().optional(),
  /** Whose results the panel shows (FingER's when absent). */
  protocol: ProtocolSchema.optional(),
  /** Workspace-relative path of the prompt file (sidecar or manifest), when known. */
  promptFile: z.string().optional(),
  /** Webview URI of the video; absent when the codec cannot play in a webview (VP9, …). */
  videoUri: z.string().optional(),
  frames: z.array(FrameRefSchema),
});
export type VideoView = z.infer<typeof VideoViewSchema>;

export const ResultsToWebviewSchema = z.discriminatedUnion('method', [
  notification(
    'results/show',
    z.object({
      video: VideoViewSchema,
      theme: ThemeKindSchema,
      /** Null while the video has never been scored (the panel shows the video and a Score button). */
      header: ResultHeaderSchema.nullable(),
      /** The prompt of the result, or of a score in progress. */
      prompt: z.string().nullable(),
      /** The rows and scores: the saved result's, or those of a score in progress (unanswered
       *  questions have `answer: null` and `error: null` and show as pending). */
      displayed: DisplayedResultSchema,
      /** A signals result's measurements, drawn as the Signals strip. */
      signals: SignalsReportSchema.optional(),
    }),
  ),
  /** One answer of a score in progress, with the scores it changes. */
  notification('results/answer', z.object({ question: DisplayedQuestionSchema, scores: DisplayedScoresSchema })),
  notification('results/progress', ProgressSchema),
  /** The question templates were edited: which questions the next rescore adds, removes, changes. */
  notification(
    'results/questionsChanged',
    z.object({ added: z.array(QuestionSchema), removed: z.array(QuestionSchema), changed: z.array(QuestionChangeSchema) }),
  ),
  notification('results/error', z.object({ message: z.string(), file: z.string().optional() })),
]);
export type ResultsToWebview = z.infer<typeof ResultsToWebviewSchema>;

export const ResultsToHostSchema = z.discriminatedUnion('method', [
  readyCommand('results'),
  command('results/rescore', z.object({})),
  command(
    'results/override',
    z.object({
      questionId: z.string(),
      questionText: z.string(),
      /** null removes the override. */
      answer: AnswerSchema.nullable(),
      note: z.string().optional(),
    }),
  ),
  command('results/openFile', z.object({ relPath: z.string() })),
]);
export type ResultsToHost = z.infer<typeof ResultsToHostSchema>;

export type ResultsShowParams = ParamsOf<ResultsToWebview, 'results/show'>;

export const resultsProtocol = webviewProtocol('results panel', ResultsToWebviewSchema, ResultsToHostSchema, 'results/ready');

/** Filters of the questions table. */
export interface TableFilters {
  failingOnly: boolean;
  /** '' = all dimensions. */
  dimension: string;
  /** '' = all entities. */
  entity: string;
  /** Case-insensitive text match on question, entity and reason. */
  text: string;
}

/** What the results webview saves with setState. VS Code keeps it across a window reload and hands
 *  it to the panel serializer, which reopens the panel for `show.video`. */
export interface ResultsWebviewState {
  version: 2;
  show: ResultsShowParams | null;
  filters: TableFilters;
  changes: ParamsOf<ResultsToWebview, 'results/questionsChanged'> | null;
  error: ParamsOf<ResultsToWebview, 'results/error'> | null;
  progress: ParamsOf<ResultsToWebview, 'results/progress'> | null;
}

/** The part of ResultsWebviewState the serializer reads: which video the panel showed. Loose, so a
 *  state saved by another version still restores its video when that part is intact. */
export const RestoredResultsStateSchema = z.looseObject({
  show: z.looseObject({
    video: z.looseObject({ relPath: z.string(), workspaceFolder: z.string().optional(), protocol: z.string().optional() }),
  }),
});
