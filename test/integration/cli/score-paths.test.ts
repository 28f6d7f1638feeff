// A whole video scored with `finger score` (the bundled CLI, real ffmpeg, the real openai client
// over HTTP) against the endpoint double speaking real Qwen2 / Llama 3 tokens: the pYes saved for
// each question is the true P(Yes) the double was configured with, whichever way the answer is
// tokenised; the one-position reading would save 0 for every No glued to its tag (`>No`) and 1
// for every Yes split from it (`>` `Yes`).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, trueYesShare, type AnswerOverride, type EndpointDouble } from '../../double/endpoint-double';
import { makeClip, makeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';
import { ResultSchema, type QuestionSet } from '../../../src/core/types';

/** True distributions over the ways of writing the answer after `<answer`, per question. */
const ANSWERS: Record<string, AnswerOverride> = {
  'glued no': { pYes: 0, reason: 'The ball says yes to nothing; no bounce.', paths: { '>No': 0.64, '>Yes': 0.3, '> Yes': 0.06 } },
  'split yes': { pYes: 0, reason: 'It bounces, no doubt.', paths: { '>Yes': 0.55, '> Yes': 0.2, '>No': 0.25 } },
  'newline no': { pYes: 0, reason: 'Yes and no.', paths: { '>\nNo': 0.5, '>Yes': 0.3, '>No': 0.2 } },
  'two branches': { pYes: 0, reason: 'Hard to say.', paths: { '>No': 0.5, '>Yes': 0.25, '> no': 0.1, '>"Yes': 0.15 } },
  'sure yes': { pYes: 0, reason: 'Clearly.', paths: { '>Yes': 0.97, '>No': 0.03 } },
};

function questionSet(): QuestionSet {
  return {
    version: 1,
    prompt: 'A red ball bounces',
    entities: [{ id: 'e1', name: 'ball' }],
    questions: Object.keys(ANSWERS).map((key, i) => ({
      id: `q${i + 1}`,
      dimension: 'visual_quality' as const,
      entity: 'ball',
      text: `Does the ball look right (${key})?`,
      polarity: 'positive' as const,
    })),
  };
}

describe('finger score reads P(Yes) over the answer paths of real tokenizers', () => {
  let double: EndpointDouble;
  before(async () => {
    await buildCli();
    double = await startEndpointDouble({ answers: ANSWERS });
  });
  after(() => double.close());

  for (const tokenizer of ['qwen2', 'llama3'] as const) {
    for (const answerFormat of ['asked', 'finger'] as const) {
      it(`${tokenizer}, ${answerFormat === 'finger' ? 'a FingER-tuned model' : 'the asked format'}: the saved pYes is the configured P(Yes)`, async () => {
        double.setOptions({ tokenizer, answerFormat });
        const ws = await makeTempDir('finger-paths-');
        const clip = await makeClip(ws, 'ball.mp4', { durationSec: 2 });
        await writeFile(path.join(ws, 'ball.questions.json'), JSON.stringify(questionSet()));
        const start = double.requests.length;
        const env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
        const run = await runCli(['score', clip], { cwd: ws, env });
        assert.equal(run.code, 0, run.stderr);
        const result = ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger', 'results', 'ball.mp4.json'), 'utf8')));
        const sent = double.requests.slice(start);
        for (const q of result.questions) {
          const key = Object.keys(ANSWERS).find((k) => q.text.includes(k))!;
          const want = trueYesShare(ANSWERS[key]!.paths!);
          assert.equal(q.probabilitySource, 'logprobs', key);
          assert.ok(Math.abs(q.pYes! - want) < 1e-9, `${key}: saved ${q.pYes}, true ${want}`);
          assert.equal(q.answer, want >= 0.5 ? 'Yes' : 'No', key);
          const prefills = sent.filter((r) => r.kind === 'prefill' && r.question?.includes(key));
          assert.ok(prefills.length <= 2, `${key}: ${prefills.length} prefill requests`);
        }
        const count = (key: string) => sent.filter((r) => r.kind === 'prefill' && r.question?.includes(key)).length;
        assert.equal(count('split yes'), 0);
        assert.equal(count('sure yes'), 0);
        assert.equal(count('glued no'), 1);
        assert.equal(count('two branches'), 2);
      });
    }
  }
});
