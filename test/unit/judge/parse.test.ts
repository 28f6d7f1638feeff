// parseAnswerText and readAnswerProbability (FingER Eq. 1): examples and property-based tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  answerProbabilityFromPaths,
  extendAnswerPaths,
  nextPrefillBranch,
  parseAnswerText,
  readAnswerPaths,
  readAnswerProbability,
  yesNoOf,
  type TokenLogprob,
} from '../../../src/core/judge/parse';
import { answerReply, prefillReply } from '../../double/tokens';

const tok = (token: string, top: Array<[string, number]> = [], logprob = -0.1): TokenLogprob => ({
  token,
  logprob,
  top_logprobs: top.map(([t, lp]) => ({ token: t, logprob: lp })),
});

describe('parseAnswerText', () => {
  const cases: Array<[string, 'Yes' | 'No' | null, string | null]> = [
    ['<reason>The hand has five fingers.</reason><answer>Yes</answer>', 'Yes', 'The hand has five fingers.'],
    ['<reason> spaced </reason>\n<answer> yes </answer>', 'Yes', 'spaced'],
    ['<REASON>Caps</REASON><ANSWER>NO</ANSWER>', 'No', 'Caps'],
    ['< answer >No</ answer >', 'No', null],
    ['<reason>Unclosed answer</reason><answer>Yes', 'Yes', 'Unclosed answer'],
    ['<reason>Reason never closed <answer>No</answer>', 'No', 'Reason never closed'],
    ['Sure! <reason>r</reason><answer>"Yes".</answer> Hope that helps.', 'Yes', 'r'],
    ['<reason>r</reason> Yes', 'Yes', 'r'],
    [
      '<reason>You said to reply <answer>Yes</answer> or <answer>No</answer>; it is not.</reason><answer>No</answer>',
      'No',
      'You said to reply <answer>Yes</answer> or <answer>No</answer>; it is not.',
    ],
    ['Yes', 'Yes', null],
    [' no.', 'No', null],
    ['"Yes"', 'Yes', null],
    ['The cup passes through the table, so the answer is No.', 'No', 'The cup passes through the table, so the answer is No.'],
    ['Answer: yes', 'Yes', 'Answer: yes'],
    ['<answer>Maybe</answer>', null, null],
    ['<answer>Yesterday</answer>', null, null],
    ['I cannot tell from these frames.', null, 'I cannot tell from these frames.'],
    ['', null, null],
  ];
  for (const [text, answer, reason] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseAnswerText(text), { answer, reason });
    });
  }
  it('handles null and undefined', () => {
    assert.deepEqual(parseAnswerText(null), { answer: null, reason: null });
    assert.deepEqual(parseAnswerText(undefined), { answer: null, reason: null });
  });

  it('property: any reason, answer casing, padding and closing finds the answer and the reason', () => {
    const noTags = fc.string({ maxLength: 80 }).filter((s) => !s.includes('<'));
    fc.assert(
      fc.property(
        noTags,
        noTags,
        fc.constantFrom('Yes', 'No'),
        fc.constantFrom(
          (s: string) => s,
          (s: string) => s.toLowerCase(),
          (s: string) => s.toUpperCase(),
        ),
        fc.constantFrom('', ' ', '\n', '  \t'),
        fc.constantFrom('', '"', "'", '**'),
        fc.boolean(),
        noTags,
        (pre, reason, answer, casing, pad, quote, closed, post) => {
          // Without a closing tag a space ends the word ("<answer>YesA" is not an answer).
          const text = `${pre}<reason>${reason}</reason>${pad}<answer>${pad}${quote}${casing(answer)}${quote}${pad}${closed ? '</answer>' : ' '}${post}`;
          const parsed = parseAnswerText(text);
          assert.equal(parsed.answer, answer);
          assert.equal(parsed.reason, reason.trim() === '' ? null : reason.trim());
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('readAnswerProbability', () => {
  it('counts Yes, " yes", YES and "Yes (real Qwen2 tokens, fast mode), not the noise', () => {
    const fastPaths = { Yes: 0.3, ' yes': 0.2, YES: 0.1, '"Yes': 0.05, No: 0.2, ' no': 0.1, Maybe: 0.05 };
    const reply = answerReply({ family: 'qwen2', tagged: false, reason: '', taggedPaths: {}, fastPaths });
    const content: TokenLogprob[] = reply.map((t) => ({ token: t.token, logprob: t.logprob, top_logprobs: t.top }));
    assert.deepEqual(content[0]!.top_logprobs!.map((e) => e.token).sort(), Object.keys(fastPaths).sort(), 'each variant is one token');
    const result = readAnswerProbability(content, { reasoning: false }, 'Yes')!;
    assert.equal(result.source, 'logprobs');
    // (0.3 + 0.2 + 0.1 + 0.05) / (0.65 + 0.3); Maybe is neither.
    assert.ok(Math.abs(result.pYes - 0.65 / 0.95) < 1e-12);
    assert.equal(result.pNo, 1 - result.pYes);
  });

  it('does not underflow for very unlikely answers', () => {
    const r = readAnswerProbability(
      [
        tok(
          'Yes',
          [
            ['Yes', -900],
            ['No', -901],
          ],
          -900,
        ),
      ],
      { reasoning: false },
      'Yes',
    )!;
    assert.ok(Math.abs(r.pYes - 1 / (1 + Math.exp(-1))) < 1e-12);
  });

  it('falls back to the sampled answer, or null', () => {
    assert.deepEqual(readAnswerProbability(null, { reasoning: true }, 'Yes'), { pYes: 1, pNo: 0, source: 'sampled' });
    assert.deepEqual(readAnswerProbability(undefined, { reasoning: false }, 'No'), { pYes: 0, pNo: 1, source: 'sampled' });
    // logprobs present but no yes/no alternative at the answer token
    assert.deepEqual(readAnswerProbability([tok('<answer>'), tok('Sure', [['Sure', -0.1]])], { reasoning: true }, 'No'), {
      pYes: 0,
      pNo: 1,
      source: 'sampled',
    });
    // reasoning reply without an <answer> tag
    assert.deepEqual(readAnswerProbability([tok('Yes', [['Yes', -0.1]])], { reasoning: true }, null), null);
    assert.equal(readAnswerProbability([], { reasoning: false }, null), null);
  });

  it('yesNoOf trims whitespace, quotes and punctuation only', () => {
    for (const t of ['Yes', ' yes', 'YES', '"Yes', 'yes.', '>Yes', '\nYes\n', '**Yes**']) assert.equal(yesNoOf(t), 'yes', t);
    for (const t of ['No', ' no', 'NO.', "'no'"]) assert.equal(yesNoOf(t), 'no', t);
    for (const t of ['Yesterday', 'nope', 'Y', 'yes no', '']) assert.equal(yesNoOf(t), null, t);
  });

  // --- properties ---------------------------------------------------------------------------
  const yesVariant = fc.tuple(
    fc.constantFrom('', ' ', '\n', '"', ' "'),
    fc.constantFrom('Yes', 'yes', 'YES'),
    fc.constantFrom('', '.', '"', ','),
  );
  const noVariant = fc.tuple(
    fc.constantFrom('', ' ', '\n', '"', ' "'),
    fc.constantFrom('No', 'no', 'NO'),
    fc.constantFrom('', '.', '"', ','),
  );
  const entry = fc.oneof(
    yesVariant.map(([a, w, b]) => a + w + b),
    noVariant.map(([a, w, b]) => a + w + b),
    fc.constantFrom('Maybe', 'The', 'Unknown', 'Yesterday', 'nope', '<', 'answer'),
  );

  it('property: for any reason and any mix of `>Yes`, `> Yes`, `>No`, `> no`, `>YES`, pYes is the path sum (Qwen2 tokens, one prefill at most)', () => {
    const answers = ['>Yes', '> Yes', '>No', '> no', '>YES'] as const;
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).filter((s) => !/[<>]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: answers.length, maxLength: answers.length }),
        (reason, weights) => {
          const taggedPaths = Object.fromEntries(answers.map((a, i) => [a, weights[i]!]));
          const model = { family: 'qwen2' as const, tagged: true, reason, taggedPaths, fastPaths: {} };
          const content: TokenLogprob[] = answerReply(model).map((t) => ({ token: t.token, logprob: t.logprob, top_logprobs: t.top }));
          const paths = readAnswerPaths(content, true)!;
          const branch = nextPrefillBranch(paths);
          if (branch) {
            const next = prefillReply(model, branch.assistantText);
            extendAnswerPaths(paths, branch, { token: next.token, logprob: next.logprob, top_logprobs: next.top });
          }
          assert.equal(nextPrefillBranch(paths), null);
          const r = answerProbabilityFromPaths(paths)!;
          const [y1, y2, n1, n2, y3] = weights as [number, number, number, number, number];
          assert.equal(r.source, 'logprobs');
          assert.ok(Math.abs(r.pYes - (y1 + y2 + y3) / (y1 + y2 + y3 + n1 + n2)) < 1e-9);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: probabilities are always in [0, 1] and sum to 1, whatever the tokens', () => {
    const anyEntry = fc.record({
      token: fc.oneof(fc.string({ maxLength: 8 }), entry),
      logprob: fc.double({ min: -1e6, max: 0, noNaN: true }),
    });
    const anyToken = fc.record({
      token: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('<answer>', '<', 'answer', '>', ' Yes', 'No', '>yes')),
      logprob: fc.double({ min: -50, max: 0, noNaN: true }),
      top_logprobs: fc.option(fc.array(anyEntry, { maxLength: 20 }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.option(fc.array(anyToken, { maxLength: 30 }), { nil: null }),
        fc.boolean(),
        fc.constantFrom('Yes', 'No', null),
        (content, reasoning, sampled) => {
          const r = readAnswerProbability(content, { reasoning }, sampled as 'Yes' | 'No' | null);
          if (r === null) {
            assert.equal(sampled, null);
            return;
          }
          assert.ok(r.pYes >= 0 && r.pYes <= 1 && r.pNo >= 0 && r.pNo <= 1);
          assert.ok(Math.abs(r.pYes + r.pNo - 1) < 1e-12);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
