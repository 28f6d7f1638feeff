// Every message between the extension host and the two webviews (the per-video results panel and
// the FingER side panel), in one typed protocol used on both sides, shaped like the one in
// microsoft/vscode-hexeditor and GitLens:
//
//   notification  extension → webview   { kind: 'notification', method, params }
//   command       webview → extension   { kind: 'command', method, params }
//   request       webview → extension   { kind: 'request', id, method, params }
//   response      extension → webview   { kind: 'response', id, method, result } | { …, error }
//
// Methods are `scope/name` (`results/…`, `sidebar/…`). Whatever arrives over postMessage is parsed
// with zod (parseExtensionMessage in the webview, parseWebviewMessage in the extension), because a
// webview is a separate, less trusted context and a stale webview may post an older shape after an
// update. This module is pure (no DOM, no vscode, no Node APIs) so both bundles can import it.
import * as z from 'zod';
import {
  AnsweredQuestionSchema,
  AnswerSchema,
  DimensionSchema,
  LabelsSchema,
  QuestionSchema,
  ResultSchema,
} from '../core/types';

// ─── Shared payload pieces ──────────────────────────────────────────────────────────────────────

/** The VS Code colour theme kind when the panel is created. Webviews follow later changes from the
 *  body classes VS Code sets (`vscode-light`, `vscode-dark`, `vscode-high-contrast`,
 *  `vscode-high-contrast-light`), so this is only the initial value. */
export const ThemeKindSchema = z.enum(['light', 'dark', 'high-contrast', 'high-contrast-light']);
export type ThemeKind = z.infer<typeof ThemeKindSchema>;

/** One sampled frame, already converted with `webview.asWebviewUri` (the frame cache folder must be
 *  in the panel's `localResourceRoots`). */
export const FrameRefSchema = z.object({ uri: z.string(), timeSec: z.number().min(0) });
export type FrameRef = z.infer<typeof FrameRefSchema>;

export const VideoViewSchema = z.object({
  /** File name shown in the header (`clip.mp4`). */
  name: z.string(),
  /** Workspace-relative path with forward slashes; the key for `results/openFile`. */
  relPath: z.string(),
  /** Workspace-relative path of the prompt file (sidecar or manifest), when known. */
  promptFile: z.string().optional(),
  /** Webview URI of the video; absent when the codec cannot play in a webview (VP9, …). */
  videoUri: z.string().optional(),
  frames: z.array(FrameRefSchema),
});
export type VideoView = z.infer<typeof VideoViewSchema>;

export const WeightsSchema = z.partialRecord(DimensionSchema, z.number().min(0));
export type Weights = z.infer<typeof WeightsSchema>;

export const ProgressSchema = z.object({
  /** Pipeline phase as the engine names it (probe, frames, questions, answers, save …). */
  phase: z.string(),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type Progress = z.infer<typeof ProgressSchema>;

export const QuestionChangeSchema = z.object({ before: QuestionSchema, after: QuestionSchema });
export type QuestionChange = z.infer<typeof QuestionChangeSchema>;

export const SidebarTargetSchema = z.object({
  videoRelPath: z.string(),
  promptFile: z.string().optional(),
});
export type SidebarTarget = z.infer<typeof SidebarTargetSchema>;

export const VideoRowSchema = z.object({
  relPath: z.string(),
  overall: z.number().min(0).max(1).nullable(),
  dimensions: z.partialRecord(DimensionSchema, z.number().min(0).max(1).nullable()),
  /** ISO time of the result. */
  createdAt: z.string(),
  model: z.string().optional(),
  /** Set when the last score of this video failed (the row still shows older scores, if any). */
  error: z.string().optional(),
});
export type VideoRow = z.infer<typeof VideoRowSchema>;

export const JobSchema = z.object({
  id: z.string(),
  label: z.string(),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  phase: z.string(),
});
export type Job = z.infer<typeof JobSchema>;

// ─── Message envelopes ──────────────────────────────────────────────────────────────────────────

function notification<M extends string, P extends z.ZodType>(method: M, params: P) {
  return z.object({ kind: z.literal('notification'), method: z.literal(method), params });
}
function command<M extends string, P extends z.ZodType>(method: M, params: P) {
  return z.object({ kind: z.literal('command'), method: z.literal(method), params });
}
function request<M extends string, P extends z.ZodType>(method: M, params: P) {
  return z.object({ kind: z.literal('request'), id: z.number().int(), method: z.literal(method), params });
}
function response<M extends string, R extends z.ZodType>(method: M, result: R) {
  // Either `result` (success) or `error` (a message for the user) is set. One object rather than a
  // union of two, so the direction's union can discriminate on `method` with precise errors.
  return z.object({
    kind: z.literal('response'),
    id: z.number().int(),
    method: z.literal(method),
    result: result.optional(),
    error: z.string().optional(),
  });
}

// ─── Results panel (one per video) ──────────────────────────────────────────────────────────────

export const ResultsShowSchema = notification(
  'results/show',
  z.object({
    /** null while the video has never been scored (the panel shows the video and a Score button). */
    result: ResultSchema.nullable(),
    labels: LabelsSchema.nullable(),
    video: VideoViewSchema,
    theme: ThemeKindSchema,
    /** Dimension weights from settings, for re-computing scores with overrides and live answers.
     *  Falls back to `result.dimensions[d].weight`, then 1. */
    weights: WeightsSchema.optional(),
  }),
);
export const ResultsQuestionsSchema = notification(
  'results/questions',
  /** The question set of a score that is starting: rows appear unanswered and fill in with
   *  `results/answer`. Sent after `results/show` (whose result may be null or the previous one). */
  z.object({ prompt: z.string(), questions: z.array(QuestionSchema) }),
);
export const ResultsProgressSchema = notification('results/progress', ProgressSchema);
export const ResultsAnswerSchema = notification('results/answer', z.object({ question: AnsweredQuestionSchema }));
export const ResultsQuestionsChangedSchema = notification(
  'results/questionsChanged',
  z.object({
    added: z.array(QuestionSchema),
    removed: z.array(QuestionSchema),
    changed: z.array(QuestionChangeSchema),
  }),
);
export const ResultsLabelsSchema = notification(
  'results/labels',
  /** Labels changed on disk or after an override was saved; the panel re-applies them. */
  z.object({ labels: LabelsSchema.nullable() }),
);
export const ResultsErrorSchema = notification(
  'results/error',
  z.object({ message: z.string(), file: z.string().optional() }),
);

export const ResultsRescoreSchema = command('results/rescore', z.object({}));
export const ResultsOverrideSchema = command(
  'results/override',
  z.object({
    questionId: z.string(),
    questionText: z.string(),
    /** null removes the override. */
    answer: AnswerSchema.nullable(),
    note: z.string().optional(),
  }),
);
export const ResultsOpenFileSchema = command('results/openFile', z.object({ relPath: z.string() }));
export const ResultsReadySchema = command('results/ready', z.object({}));

export const GetLabelsRequestSchema = request('results/getLabels', z.object({}));
export const GetLabelsResponseSchema = response('results/getLabels', z.object({ labels: LabelsSchema.nullable() }));

// ─── Side panel ─────────────────────────────────────────────────────────────────────────────────

export const SidebarDetailsSchema = notification(
  'sidebar/details',
  z.object({
    /** The video (or the video of the prompt file) in the active editor; null when none. */
    target: SidebarTargetSchema.nullable(),
    result: ResultSchema.nullable(),
    labels: LabelsSchema.nullable(),
  }),
);
export const SidebarVideosSchema = notification('sidebar/videos', z.object({ rows: z.array(VideoRowSchema) }));
export const SidebarJobsSchema = notification('sidebar/jobs', z.object({ jobs: z.array(JobSchema) }));

export const SidebarOpenResultsSchema = command('sidebar/openResults', z.object({ relPath: z.string() }));
export const SidebarCancelJobSchema = command('sidebar/cancelJob', z.object({ id: z.string() }));
export const SidebarReadySchema = command('sidebar/ready', z.object({}));

// ─── Unions per direction ───────────────────────────────────────────────────────────────────────

export const ExtensionMessageSchema = z.discriminatedUnion('method', [
  ResultsShowSchema,
  ResultsQuestionsSchema,
  ResultsProgressSchema,
  ResultsAnswerSchema,
  ResultsQuestionsChangedSchema,
  ResultsLabelsSchema,
  ResultsErrorSchema,
  GetLabelsResponseSchema,
  SidebarDetailsSchema,
  SidebarVideosSchema,
  SidebarJobsSchema,
]);
export type ExtensionMessage = z.infer<typeof ExtensionMessageSchema>;

export const WebviewMessageSchema = z.discriminatedUnion('method', [
  ResultsRescoreSchema,
  ResultsOverrideSchema,
  ResultsOpenFileSchema,
  ResultsReadySchema,
  GetLabelsRequestSchema,
  SidebarOpenResultsSchema,
  SidebarCancelJobSchema,
  SidebarReadySchema,
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

export type ExtensionNotification = Extract<ExtensionMessage, { kind: 'notification' }>;
export type ExtensionResponse = Extract<ExtensionMessage, { kind: 'response' }>;
export type WebviewCommand = Extract<WebviewMessage, { kind: 'command' }>;
export type WebviewRequest = Extract<WebviewMessage, { kind: 'request' }>;

export type NotificationMethod = ExtensionNotification['method'];
export type CommandMethod = WebviewCommand['method'];
export type RequestMethod = WebviewRequest['method'];

export type NotificationParams<M extends NotificationMethod> = Extract<ExtensionNotification, { method: M }>['params'];
export type CommandParams<M extends CommandMethod> = Extract<WebviewCommand, { method: M }>['params'];
export type RequestParams<M extends RequestMethod> = Extract<WebviewRequest, { method: M }>['params'];
export type ResponseResult<M extends RequestMethod> = NonNullable<Extract<ExtensionResponse, { method: M }>['result']>;

export type ResultsShowParams = NotificationParams<'results/show'>;
export type SidebarDetailsParams = NotificationParams<'sidebar/details'>;

/** Methods the results panel handles / posts, and the side panel's; used to route and to test. */
export const RESULTS_NOTIFICATIONS = [
  'results/show',
  'results/questions',
  'results/progress',
  'results/answer',
  'results/questionsChanged',
  'results/labels',
  'results/error',
] as const satisfies readonly NotificationMethod[];
export const SIDEBAR_NOTIFICATIONS = ['sidebar/details', 'sidebar/videos', 'sidebar/jobs'] as const satisfies readonly NotificationMethod[];

// ─── Parsing on receipt ─────────────────────────────────────────────────────────────────────────

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function describe(error: z.ZodError): string {
  return z.prettifyError(error);
}

/** Webview side: validate what the extension posted. Messages from other sources (VS Code's own
 *  internal messages have no `kind`) come back as `ok: false` and are ignored by the caller. */
export function parseExtensionMessage(data: unknown): Parsed<ExtensionMessage> {
  const parsed = ExtensionMessageSchema.safeParse(data);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: describe(parsed.error) };
}

/** Extension side: validate what a webview posted before acting on it. */
export function parseWebviewMessage(data: unknown): Parsed<WebviewMessage> {
  const parsed = WebviewMessageSchema.safeParse(data);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: describe(parsed.error) };
}

// ─── Type guards (narrow an already parsed message) ────────────────────────────────────────────

export function isNotification<M extends NotificationMethod>(
  message: ExtensionMessage,
  method: M,
): message is Extract<ExtensionNotification, { method: M }> {
  return message.kind === 'notification' && message.method === method;
}

export function isResponse<M extends RequestMethod>(
  message: ExtensionMessage,
  method: M,
): message is Extract<ExtensionResponse, { method: M }> {
  return message.kind === 'response' && message.method === method;
}

export function isCommand<M extends CommandMethod>(
  message: WebviewMessage,
  method: M,
): message is Extract<WebviewCommand, { method: M }> {
  return message.kind === 'command' && message.method === method;
}

export function isRequest<M extends RequestMethod>(
  message: WebviewMessage,
  method: M,
): message is Extract<WebviewRequest, { method: M }> {
  return message.kind === 'request' && message.method === method;
}

// ─── Typed builders (so a call site cannot pair a method with the wrong params) ────────────────

export function makeNotification<M extends NotificationMethod>(
  method: M,
  params: NotificationParams<M>,
): Extract<ExtensionNotification, { method: M }> {
  return { kind: 'notification', method, params } as Extract<ExtensionNotification, { method: M }>;
}

export function makeCommand<M extends CommandMethod>(
  method: M,
  params: CommandParams<M>,
): Extract<WebviewCommand, { method: M }> {
  return { kind: 'command', method, params } as Extract<WebviewCommand, { method: M }>;
}

export function makeRequest<M extends RequestMethod>(
  id: number,
  method: M,
  params: RequestParams<M>,
): Extract<WebviewRequest, { method: M }> {
  return { kind: 'request', id, method, params } as Extract<WebviewRequest, { method: M }>;
}

export function makeResponse<M extends RequestMethod>(
  request: { id: number; method: M },
  outcome: { result: ResponseResult<M> } | { error: string },
): Extract<ExtensionResponse, { method: M }> {
  return { kind: 'response', id: request.id, method: request.method, ...outcome } as Extract<
    ExtensionResponse,
    { method: M }
  >;
}
