// `finger export`: the judge's questions and answers, with the answers people corrected, as
// training data in the FingER-Instruct shape (README, "Exporting training data"): one sample per
// question with the video, the system text and question exactly as the judge saw them (rendered
// through the same answer templates), and the target `<reason>…</reason><answer>…</answer>`.
// Formats: LLaMA-Factory's multimodal sharegpt data (OpenAI-style `messages` with a `<video>`
// token and a `videos` column, as its data/README.md documents, plus the dataset_info.json entry),
// classic sharegpt (`conversations` with from/value), JSON Lines and CSV.
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { applyOverrides } from '../scoring/finger';
import { renderAnswerQuestion, renderAnswerSystem, type Templates } from '../templates';
import type { Labels, Result } from '../types';

export type ExportFormat = 'llamafactory' | 'sharegpt' | 'jsonl' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['llamafactory', 'sharegpt', 'jsonl', 'csv'];

export interface ExportClip {
  /** Workspace-relative. */
  video: string;
  result: Result;
  labels: Labels | null;
}

export interface Sample {
  /** The video as written in the output: relative to the output file's folder. */
  video: string;
  /** Workspace-relative path of the video. */
  workspaceVideo: string;
  judgeModel: string;
  prompt: string;
  questionId: string;
  dimension: string;
  entity: string;
  polarity: string;
  system: string;
  question: string;
  target: string;
  answer: 'Yes' | 'No';
  /** `human` where a person corrected or confirmed the answer, else `judge`. */
  answerSource: 'human' | 'judge';
  judgeAnswer: 'Yes' | 'No' | null;
  judgePYes: number | null;
  /** Where the reason in the target comes from: the person's note, the judge (when the answer is
   *  the judge's), or none (a corrected answer without a note: the judge's reason argued for the
   *  other answer). */
  reasonSource: 'note' | 'judge' | 'none';
  note: string;
}

export interface ExportOptions {
  labelledOnly?: boolean;
  /** Folder of the output file: video paths are written relative to it. */
  outDir: string;
  workspace: string;
}

export interface ExportOutcome {
  samples: Sample[];
  /** Questions without an answer from the judge or a person. */
  skippedUnanswered: number;
  /** Clips whose answers were made with other answer templates than the current ones. */
  otherTemplates: string[];
}

/** One sample per answered (or labelled) question of every clip. */
export function buildSamples(clips: readonly ExportClip[], templates: Templates, o: ExportOptions): ExportOutcome {
  const samples: Sample[] = [];
  let skippedUnanswered = 0;
  const otherTemplates: string[] = [];
  for (const c of clips) {
    const reasoning = c.result.judge?.reasoning ?? true;
    if (c.result.judge && c.result.judge.templateHash !== templates.answerHash) otherTemplates.push(c.video);
    const system = renderAnswerSystem(templates, { reasoning });
    const shown = applyOverrides(c.result.questions, c.labels);
    const video = path.relative(o.outDir, path.join(o.workspace, c.video)).split(path.sep).join('/');
    shown.forEach((q, i) => {
      const judged = c.result.questions[i]!;
      const human = q.overridden;
      if (o.labelledOnly && !human) return;
      const answer = human?.answer ?? judged.answer;
      if (answer === null) {
        skippedUnanswered++;
        return;
      }
      const note = human?.note?.trim() ?? '';
      const reasonSource: Sample['reasonSource'] = note ? 'note' : answer === judged.answer && judged.reason ? 'judge' : 'none';
      const reason = reasonSource === 'note' ? note : reasonSource === 'judge' ? judged.reason! : '';
      samples.push({
        video,
        workspaceVideo: c.video,
        judgeModel: c.result.endpoint.model,
        prompt: c.result.prompt,
        questionId: q.id,
        dimension: q.dimension,
        entity: q.entity,
        polarity: q.polarity,
        system,
        question: renderAnswerQuestion(templates, q, { reasoning }),
        target: reasoning ? `<reason>${reason}</reason><answer>${answer}</answer>` : answer,
        answer,
        answerSource: human ? 'human' : 'judge',
        judgeAnswer: judged.answer,
        judgePYes: judged.pYes,
        reasonSource,
        note,
      });
    });
  }
  return { samples, skippedUnanswered, otherTemplates };
}

/** LLaMA-Factory's token for the place of a video in the user turn (data/README.md). */
export const VIDEO_TOKEN = '<video>';

export function formatSamples(samples: readonly Sample[], format: ExportFormat): string {
  switch (format) {
    case 'llamafactory':
      return (
        JSON.stringify(
          samples.map((s) => ({
            messages: [
              { role: 'system', content: s.system },
              { role: 'user', content: `${VIDEO_TOKEN}${s.question}` },
              { role: 'assistant', content: s.target },
            ],
            videos: [s.video],
          })),
          null,
          1,
        ) + '\n'
      );
    case 'sharegpt':
      return (
        JSON.stringify(
          samples.map((s) => ({
            conversations: [
              { from: 'human', value: `${VIDEO_TOKEN}${s.question}` },
              { from: 'gpt', value: s.target },
            ],
            system: s.system,
            videos: [s.video],
          })),
          null,
          1,
        ) + '\n'
      );
    case 'jsonl':
      return samples.map((s) => JSON.stringify(flat(s))).join('\n') + (samples.length ? '\n' : '');
    case 'csv':
      return stringify(samples.map(flat), { header: true, columns: FLAT_COLUMNS as unknown as string[] });
  }
}

const FLAT_COLUMNS = [
  'video',
  'judge_model',
  'prompt',
  'question_id',
  'dimension',
  'entity',
  'polarity',
  'system',
  'question',
  'target',
  'answer',
  'answer_source',
  'judge_answer',
  'judge_p_yes',
  'reason_source',
  'note',
] as const;

function flat(s: Sample): Record<(typeof FLAT_COLUMNS)[number], string | number | null> {
  return {
    video: s.video,
    judge_model: s.judgeModel,
    prompt: s.prompt,
    question_id: s.questionId,
    dimension: s.dimension,
    entity: s.entity,
    polarity: s.polarity,
    system: s.system,
    question: s.question,
    target: s.target,
    answer: s.answer,
    answer_source: s.answerSource,
    judge_answer: s.judgeAnswer,
    judge_p_yes: s.judgePYes,
    reason_source: s.reasonSource,
    note: s.note,
  };
}

/** The dataset_info.json entry LLaMA-Factory needs for a file written in `format`. */
export function datasetInfoEntry(fileName: string, format: 'llamafactory' | 'sharegpt'): Record<string, unknown> {
  if (format === 'sharegpt') {
    return { file_name: fileName, formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system', videos: 'videos' } };
  }
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'messages', videos: 'videos' },
    tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
  };
}

export interface PreferencePairOut {
  prompt_key: string;
  prompt: string;
  metric: string;
  chosen: string;
  rejected: string;
  chosen_score: number;
  rejected_score: number;
  margin: number;
}
