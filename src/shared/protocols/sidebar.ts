// The protocol of the FingER side panel (a WebviewView): the video of the active editor with its
// displayed result, every scored video of the workspace, and the jobs in progress.
import * as z from 'zod';
import { command, notification, readyCommand, webviewProtocol, type ParamsOf } from './envelope';
import { DisplayedResultSchema, JobSchema, ResultHeaderSchema, type Job } from './common';
import { DimensionSchema } from '../schemas';

export const VideoRowSchema = z.object({
  relPath: z.string(),
  overall: z.number().min(0).max(1).nullable(),
  dimensions: z.partialRecord(DimensionSchema, z.number().min(0).max(1).nullable()),
  /** ISO time of the result. */
  createdAt: z.string(),
  model: z.string().optional(),
  /** Set when the result file could not be read. */
  error: z.string().optional(),
});
export type VideoRow = z.infer<typeof VideoRowSchema>;

/** A correlation that may be undefined (constant input, too few clips), with the reason. */
const StatisticSchema = z.union([
  z.object({ value: z.number(), n: z.number().int() }),
  z.object({ value: z.null(), n: z.number().int(), reason: z.string() }),
]);
const AccuracySchema = z.object({
  labelled: z.number().int().min(0),
  agree: z.number().int().min(0),
  value: z.number().min(0).max(1).nullable(),
});
const CorrelationsSchema = z.object({ srcc: StatisticSchema, plcc: StatisticSchema });

/** The judge against the answers people corrected in the workspace (`finger agreement --labels`,
 *  src/core/workbench/agreement.ts `labelAgreement`): answer accuracy per dimension, and SRCC/PLCC
 *  of the scores with a human score (`mos` in the labels) without and with the corrections. */
export const LabelAgreementSchema = z.object({
  clips: z.number().int().min(0),
  accuracy: z.record(z.union([DimensionSchema, z.literal('all')]), AccuracySchema),
  correlation: z.record(
    z.union([DimensionSchema, z.literal('overall')]),
    z.object({ n: z.number().int().min(0), without: CorrelationsSchema, with: CorrelationsSchema }),
  ),
});
export type LabelAgreementView = z.infer<typeof LabelAgreementSchema>;

export const SidebarToWebviewSchema = z.discriminatedUnion('method', [
  notification(
    'sidebar/details',
    z.object({
      /** The video (or the video of the prompt file) in the active editor; null when none. */
      target: z.object({ videoRelPath: z.string() }).nullable(),
      header: ResultHeaderSchema.nullable(),
      /** Null when the video has no result. */
      displayed: DisplayedResultSchema.nullable(),
    }),
  ),
  notification('sidebar/videos', z.object({ rows: z.array(VideoRowSchema) })),
  notification('sidebar/jobs', z.object({ jobs: z.array(JobSchema) })),
  /** Null while no answer of the workspace was corrected. */
  notification('sidebar/agreement', z.object({ agreement: LabelAgreementSchema.nullable() })),
]);
export type SidebarToWebview = z.infer<typeof SidebarToWebviewSchema>;

export const SidebarToHostSchema = z.discriminatedUnion('method', [
  readyCommand('sidebar'),
  command('sidebar/openResults', z.object({ relPath: z.string() })),
  command('sidebar/cancelJob', z.object({ id: z.string() })),
]);
export type SidebarToHost = z.infer<typeof SidebarToHostSchema>;

export type SidebarDetailsParams = ParamsOf<SidebarToWebview, 'sidebar/details'>;

export const sidebarProtocol = webviewProtocol('side panel', SidebarToWebviewSchema, SidebarToHostSchema, 'sidebar/ready');

export type SortKey = 'name' | 'overall-asc' | 'overall-desc' | 'date';

/** What the side panel saves with setState and replays when VS Code re-creates it. */
export interface SidebarWebviewState {
  version: 2;
  details: SidebarDetailsParams | null;
  videos: VideoRow[];
  jobs: Job[];
  agreement: LabelAgreementView | null;
  search: string;
  filter: string;
  sort: SortKey;
}
