// P(answer) as a sum over token paths, on token streams written by real tokenizers (Qwen2's
// vocabulary: Qwen2-VL, Qwen2.5-VL, Qwen3; and Llama 3's). Every expected pYes below is the path
// sum worked out by hand from the distribution the test configures; the one-position reading
// (top_logprobs at the token after `<answer>`) gives 0 or 1 on these streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  answerProbabilityFromPaths,
  extendAnswerPaths,
  nextPrefillBranch,
  readAnswerPaths,
  readAnswerProbability,
  type AnswerProbability,
  type TokenLogprob,
} from '../../../src/core/judge/parse';
import { MAX_PREFILL_REQUESTS } from '../../../src/core/judge/request';
import { answerReply, prefillReply, tokenIds, type AnswerReplyInput, type ReplyToken, type TokenizerFamily } from '../../double/tokens';

const REASON = 'The sign in the first frames says "yes" and the boy shouts no; yes, the dog answers No to the ball.';

function input(
  family: TokenizerFamily,
  taggedPaths: Record<string, number>,
  fastPaths: Record<string, number> = { Yes: 1 },
): AnswerReplyInput {
  return { family, tagged: true, reason: REASON, taggedPaths, fastPaths };
}

/** The reply as a server returns it in `choices[0].logprobs.content` (top 20). */
function asLogprobs(reply: ReplyToken[]): TokenLogprob[] {
  return reply.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    top_logprobs: [...t.top].sort((a, b) => b.logprob - a.logprob).slice(0, 20),
  }));
}

/** Reads the paths with at most MAX_PREFILL_REQUESTS prefills answered by the same model; returns the assistant texts asked. */
function readWithPrefill(
  content: TokenLogprob[],
  reasoning: boolean,
  model: AnswerReplyInput,
): { probability: AnswerProbability | null; asked: string[] } {
  const paths = readAnswerPaths(content, reasoning)!;
  const asked: string[] = [];
  for (let i = 0; i < MAX_PREFILL_REQUESTS; i++) {
    const branch = nextPrefillBranch(paths);
    if (!branch) break;
    asked.push(branch.assistantText);
    const next = prefillReply(model, branch.assistantText);
    extendAnswerPaths(paths, branch, { token: next.token, logprob: next.logprob, top_logprobs: next.top });
  }
  return { probability: answerProbabilityFromPaths(paths), asked };
}

const close = (actual: number | undefined, expected: number, what = '') =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what} ${actual} vs ${expected}`);

describe('the answer reading over real tokenizations', () => {
  it('Qwen2 and Llama 3: `<answer>No` ends in one token `>No`, `<answer>Yes` is `>` `Yes`, `</reason><answer>` is `.</` `reason` `><` `answer`', () => {
    assert.deepEqual(tokenIds('qwen2', '<answer>No'), [27, 9217, 41157]);
    assert.deepEqual(tokenIds('qwen2', '<answer>Yes'), [27, 9217, 29, 9454]);
    assert.deepEqual(tokenIds('qwen2', 'x.</reason><answer>'), [87, 3918, 19895, 1784, 9217, 29]);
    assert.deepEqual(tokenIds('llama3', '<answer>No'), [27, 9399, 42257]);
    assert.deepEqual(tokenIds('llama3', '<answer>Yes'), [27, 9399, 29, 9642]);
  });

  for (const family of ['qwen2', 'llama3'] as const) {
    it(`${family}: a No glued to the tag (\`>No\`) — P(Yes) comes from the \`>\` branch, read with one prefill`, () => {
      // P(>No) = 0.6; P(>) = 0.4, after which Yes 0.3 / 0.4 and " Yes" 0.1 / 0.4.
      const model = input(family, { '>No': 0.6, '>Yes': 0.3, '> Yes': 0.1 });
      const content = asLogprobs(answerReply(model));
      const answerToken = content.findIndex((t) => t.token === '>No');
      assert.ok(answerToken > 0, 'the sampled reply ends in the single token >No');
      // The one-position reading: at `>No` the alternatives are `>No` and `>`, no Yes.
      assert.ok(content[answerToken]!.top_logprobs!.every((e) => !/yes/i.test(e.token)));
      const { probability, asked } = readWithPrefill(content, true, model);
      assert.deepEqual(asked, [`<reason>${REASON}</reason><answer>`]);
      close(probability?.pYes, 0.4, family);
      assert.equal(probability?.source, 'logprobs');
      // Without the prefill (a server that cannot continue), the `>` mass is split evenly: (0 + 0.4/2) / 1.
      const alone = readAnswerProbability(content, { reasoning: true }, 'No')!;
      assert.equal(alone.source, 'approximate');
      close(alone.pYes, 0.2);
    });

    it(`${family}: a Yes split from the tag (\`>\` \`Yes\`) — both answers are on the reply, no prefill`, () => {
      // P(>No) = 0.27; P(>) = 0.73 with Yes 0.657 and " Yes" 0.073 after it.
      const model = input(family, { '>Yes': 0.657, '> Yes': 0.073, '>No': 0.27 });
      const content = asLogprobs(answerReply(model));
      const at = content.findIndex((t, i) => t.token === 'Yes' && content[i - 1]?.token === '>');
      assert.ok(at > 0, 'the reply writes > then Yes');
      const { probability, asked } = readWithPrefill(content, true, model);
      assert.deepEqual(asked, []);
      close(probability?.pYes, 0.73, family);
      close(readAnswerProbability(content, { reasoning: true }, 'Yes')!.pYes, 0.73);
    });

    it(`${family}: a newline between tag and answer (\`>\\n\` \`No\`), and two branches read with two prefills`, () => {
      // Sampled: `>\n` (0.45) then No. Branches: `>` (0.35: Yes 0.25, " no" 0.1) and `>"` (0.15: Yes).
      const model = input(family, { '>\nNo': 0.45, '>Yes': 0.25, '> no': 0.1, '>"Yes': 0.15, '>No': 0.05 });
      const content = asLogprobs(answerReply(model));
      assert.ok(content.some((t, i) => t.token === '>\n' && content[i + 1]?.token === 'No'));
      const { probability, asked } = readWithPrefill(content, true, model);
      assert.deepEqual(asked, [`<reason>${REASON}</reason><answer>`, `<reason>${REASON}</reason><answer>"`]);
      // P(Yes) = 0.25 + 0.15; P(No) = 0.45 + 0.1 + 0.05.
      close(probability?.pYes, 0.4, family);
    });
  }

  it('a reason full of "yes" and "no", and a reason quoting `<answer>Yes</answer>`, do not count', () => {
    const quoting = {
      ...input('qwen2', { '>No': 0.8, '>Yes': 0.2 }),
      reason: 'You asked for <answer>Yes</answer> or <answer>No</answer>; yes-no, NO, Yes.',
    };
    const content = asLogprobs(answerReply(quoting));
    close(readWithPrefill(content, true, quoting).probability?.pYes, 0.2);
  });

  it('a branch that cannot move pYes by more than 0.001 is not read', () => {
    // `>"` carries 0.0005: pYes could move by at most 0.0005. P(Yes) = 0.7, P(No) = 0.2995.
    const model = input('qwen2', { '>Yes': 0.7, '>No': 0.2995, '>"No': 0.0005 });
    const content = asLogprobs(answerReply(model));
    const paths = readAnswerPaths(content, true)!;
    assert.equal(paths.pending.length, 1, 'the `>"` branch is there');
    assert.equal(nextPrefillBranch(paths), null);
    const r = answerProbabilityFromPaths(paths)!;
    close(r.pYes, 0.7 / 0.9995);
    assert.equal(r.source, 'logprobs');
  });

  it('fast mode: the first token is the answer (` Yes` and `"No` are single tokens)', () => {
    const model: AnswerReplyInput = { ...input('qwen2', {}), tagged: false, fastPaths: { Yes: 0.5, ' Yes': 0.1, '"No': 0.25, No: 0.15 } };
    const content = asLogprobs(answerReply(model));
    assert.equal(content[0]!.token, 'Yes');
    const { probability, asked } = readWithPrefill(content, false, model);
    assert.deepEqual(asked, []);
    close(probability?.pYes, 0.6);
  });

  it('fast mode with a FingER-tuned model that writes `<reason>` anyway: the answer is read after a prefill of `<answer`', () => {
    const model = input('qwen2', { '>No': 0.55, '>Yes': 0.45 });
    const tagged = asLogprobs(answerReply(model));
    const firstToken = tagged.slice(0, 1); // max_tokens 1
    assert.equal(firstToken[0]!.token, '<');
    const { probability, asked } = readWithPrefill(firstToken, false, model);
    assert.deepEqual(asked, ['<answer', '<answer>']);
    close(probability?.pYes, 0.45);
  });

  it('no Yes/No mass anywhere: null (the caller falls back to the sampled answer)', () => {
    const content: TokenLogprob[] = [
      { token: '<answer>', logprob: 0, top_logprobs: [{ token: '<answer>', logprob: 0 }] },
      {
        token: 'Maybe',
        logprob: -0.1,
        top_logprobs: [
          { token: 'Maybe', logprob: -0.1 },
          { token: 'Unsure', logprob: -2.4 },
        ],
      },
    ];
    assert.equal(answerProbabilityFromPaths(readAnswerPaths(content, true)!), null);
    assert.deepEqual(readAnswerProbability(content, { reasoning: true }, 'No'), { pYes: 0, pNo: 1, source: 'sampled' });
  });
});
