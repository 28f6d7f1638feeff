// Figure 8: bytes the client sends per question and per video in each input mode (reported, no
// target). One 5-second 1280×720 clip, 20 questions, scored by the CLI against the double; the
// double counts the request bodies it receives.
import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { startEndpointDouble } from '../double/endpoint-double';
import { makeClip } from '../helpers/clips';
import { assertCliOk, fmtBytes, log, runCli, scoreArgs, writeQuestionSets, type Figure } from './common';

const QUESTIONS = 20;

export async function runPayload(dir: string): Promise<Figure[]> {
  log('payload: one 5 s 1280×720 clip, 20 questions, in each input mode');
  const clip = await makeClip(dir, 'payload.mp4', { durationSec: 5, width: 1280, height: 720, fps: 24 });
  await writeQuestionSets([clip], QUESTIONS);
  const fileBytes = (await stat(clip)).size;
  const figures: Figure[] = [];
  for (const mode of ['video', 'frames', 'file'] as const) {
    await rm(path.join(dir, '.finger'), { recursive: true, force: true });
    const double = await startEndpointDouble({});
    try {
      const run = await runCli(scoreArgs([clip], { endpoint: double.url, workspace: dir, concurrency: 8, mode }), dir);
      assertCliOk(run, `payload run (${mode})`);
      const answers = double.chatRequests().filter((r) => r.kind === 'answer');
      if (answers.length !== QUESTIONS)
        throw new Error(`payload (${mode}): expected ${QUESTIONS} answering requests, got ${answers.length}`);
      const total = answers.reduce((sum, r) => sum + r.bytes, 0);
      const perQuestion = Math.round(total / answers.length);
      figures.push({
        id: `payload.${mode}`,
        name: `Payload, mode ${mode}: bytes per question / per video`,
        value: perQuestion,
        unit: 'B/question',
        met: null,
        detail: `${fmtBytes(perQuestion)} per question, ${fmtBytes(total)} per video (${QUESTIONS} questions; the clip file is ${fmtBytes(fileBytes)})`,
        samples: { perQuestionBytes: perQuestion, perVideoBytes: total, questions: QUESTIONS, fileBytes },
      });
    } finally {
      await double.close();
    }
  }
  return figures;
}
