// parseAnswerText and readAnswerProbability (FingER Eq. 1): examples and property-based tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { answerTokenIndex, parseAnswerText, readAnswerProbability, yesNoOf, type TokenLogprob } from '../../../src/core/judge/parse';

const tok = (token: string, top: Array<[string, number]> = [], logprob = -0.1): TokenLogprob => ({
  token,
  logprob,
  top_logprobs: top.map(([t, lp]) => ({ token: t, logprob: lp })),
});

/** Eq. 1 computed directly in the test from the entries it chose. */
function expectedPYes(entries: Array<[string, number]>): number {
  const yes = entries.filter(([t]) => /^yes$/i.test(t.replace(/^[\s"'>.,:!*]+|[\s"'>.,:!*]+$/g, ''))).reduce((s, [, lp]) => s + Math.exp(lp), 0);
  const no = entries.filter(([t]) => /^no$/i.test(t.replace(/^[\s"'>.,:!*]+|[\s"'>.,:!*]+$/g, ''))).reduce((s, [, lp]) => s + Math.exp(lp), 0);
  return yes / (yes + no);
}

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
    ['<reason>You said to reply <answer>Yes</answer> or <answer>No</answer>; it is not.</reason><answer>No</answer>', 'No', 'You said to reply <answer>Yes</answer> or <answer>No</answer>; it is not.'],
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
        fc.constantFrom((s: string) => s, (s: string) => s.toLowerCase(), (s: string) => s.toUpperCase()),
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
  it('counts every yes/no variant at the answer token (Eq. 1), not the noise', () => {
    const top: Array<[string, number]> = [
      ['Yes', -0.4],
      [' yes', -2.1],
      ['YES', -3.3],
      ['"Yes', -4.0],
      ['No', -1.5],
      [' no', -3.9],
      ['Maybe', -2.5],
      ['Yesterday', -5],
    ];
    const content = ['<', 'reason', '>', 'Looks', ' fine', '.', '</', 'reason', '>', '<', 'answer', '>'].map((t) => tok(t, [['Yes', -0.01]]));
    content.push(tok('Yes', top), tok('</'), tok('answer'), tok('>'));
    const result = readAnswerProbability(content, { reasoning: true }, 'Yes')!;
    const yes = Math.exp(-0.4) + Math.exp(-2.1) + Math.exp(-3.3) + Math.exp(-4.0);
    const no = Math.exp(-1.5) + Math.exp(-3.9);
    assert.equal(result.source, 'logprobs');
    assert.ok(Math.abs(result.pYes - yes / (yes + no)) < 1e-12);
    assert.equal(result.pNo, 1 - result.pYes);
  });

  it('finds the answer token however the tag is split or glued', () => {
    const top: Array<[string, number]> = [
      ['Yes', -1.2],
      ['No', -0.5],
    ];
    const want = expectedPYes(top);
    const shapes: TokenLogprob[][] = [
      [tok('<reason>'), tok('x'), tok('</reason>'), tok('<answer>'), tok('Yes', top), tok('</answer>')],
      [tok('<'), tok('ans'), tok('wer'), tok('>'), tok('Yes', top), tok('</answer>')],
      [tok('<reason>r</reason><'), tok('answer'), tok('>Yes', top.map(([t, lp]) => ['>' + t, lp])), tok('</answer>')],
      [tok('<answer>Yes', top), tok('</answer>')],
      [tok('<answer>'), tok(' '), tok('\n'), tok(' Yes', top)],
      [tok('<reason>Yes, because</reason>', [['Yes', -0.001]]), tok('<answer>'), tok('Yes', top)],
      [tok('<reason>'), tok('quoting <answer>'), tok('No', [['No', -0.01]]), tok('</answer></reason>'), tok('<answer>'), tok('Yes', top)],
    ];
    for (const content of shapes) {
      const r = readAnswerProbability(content, { reasoning: true }, 'Yes')!;
      assert.equal(r.source, 'logprobs', JSON.stringify(content.map((t) => t.token)));
      assert.ok(Math.abs(r.pYes - want) < 1e-12);
    }
  });

  it('uses the first token in fast mode', () => {
    const r = readAnswerProbability([tok('No', [['No', -0.2], [' yes', -1.9]])], { reasoning: false }, 'No')!;
    assert.ok(Math.abs(r.pYes - Math.exp(-1.9) / (Math.exp(-1.9) + Math.exp(-0.2))) < 1e-12);
  });

  it('does not underflow for very unlikely answers', () => {
    const r = readAnswerProbability([tok('Yes', [['Yes', -900], ['No', -901]])], { reasoning: false }, 'Yes')!;
    assert.ok(Math.abs(r.pYes - 1 / (1 + Math.exp(-1))) < 1e-12);
  });

  it('falls back to the sampled answer, or null', () => {
    assert.deepEqual(readAnswerProbability(null, { reasoning: true }, 'Yes'), { pYes: 1, pNo: 0, source: 'sampled' });
    assert.deepEqual(readAnswerProbability(undefined, { reasoning: false }, 'No'), { pYes: 0, pNo: 1, source: 'sampled' });
    // logprobs present but no yes/no alternative at the answer token
    assert.deepEqual(readAnswerProbability([tok('<answer>'), tok('Sure', [['Sure', -0.1]])], { reasoning: true }, 'No'), { pYes: 0, pNo: 1, source: 'sampled' });
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
  const yesVariant = fc.tuple(fc.constantFrom('', ' ', '\n', '"', ' "'), fc.constantFrom('Yes', 'yes', 'YES'), fc.constantFrom('', '.', '"', ','));
  const noVariant = fc.tuple(fc.constantFrom('', ' ', '\n', '"', ' "'), fc.constantFrom('No', 'no', 'NO'), fc.constantFrom('', '.', '"', ','));
  const entry = fc.oneof(
    yesVariant.map(([a, w, b]) => a + w + b),
    noVariant.map(([a, w, b]) => a + w + b),
    fc.constantFrom('Maybe', 'The', 'Unknown', 'Yesterday', 'nope', '<', 'answer'),
  );
  const topLogprobs = fc.array(fc.tuple(entry, fc.double({ min: -30, max: 0, noNaN: true })), { maxLength: 20 });

  it('property: any tokenisation of <reason>…</reason><answer>X</answer> finds X and computes Eq. 1', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).filter((s) => !s.toLowerCase().includes('answer')),
        fc.constantFrom('Yes', 'No'),
        fc.constantFrom('', ' ', '\n'),
        fc.array(fc.nat(), { maxLength: 12 }),
        topLogprobs,
        fc.array(topLogprobs, { minLength: 60, maxLength: 60 }),
        (reason, answer, pad, cutSeeds, top, distractors) => {
          const before = `<reason>${reason}</reason><answer>${pad}`;
          const after = '</answer>';
          const text = before + answer + after;
          const wordStart = before.length;
          const wordEnd = wordStart + answer.length;
          // Random cut points anywhere except inside the answer word (a tokenizer emits it whole).
          const cuts = [...new Set(cutSeeds.map((n) => 1 + (n % (text.length - 1))))].filter((c) => c <= wordStart || c >= wordEnd).sort((a, b) => a - b);
          const bounds = [0, ...cuts, text.length];
          const content: TokenLogprob[] = [];
          let answerIndex = -1;
          for (let i = 0; i + 1 < bounds.length; i++) {
            const [s, e] = [bounds[i]!, bounds[i + 1]!];
            if (s <= wordStart && wordStart < e) {
              answerIndex = content.length;
              content.push({ token: text.slice(s, e), logprob: -0.1, top_logprobs: top.map(([t, lp]) => ({ token: t, logprob: lp })) });
            } else {
              const noise = distractors[i % distractors.length]!;
              content.push({ token: text.slice(s, e), logprob: -0.1, top_logprobs: noise.map(([t, lp]) => ({ token: t, logprob: lp })) });
            }
          }
          assert.equal(answerTokenIndex(content, true), answerIndex);
          const parsed = parseAnswerText(content.map((t) => t.token).join(''));
          assert.equal(parsed.answer, answer);
          const r = readAnswerProbability(content, { reasoning: true }, parsed.answer)!;
          const counted = top.filter(([t]) => yesNoOf(t) !== null);
          if (counted.length === 0) {
            assert.deepEqual(r, { pYes: answer === 'Yes' ? 1 : 0, pNo: answer === 'Yes' ? 0 : 1, source: 'sampled' });
          } else {
            assert.equal(r.source, 'logprobs');
            assert.ok(Math.abs(r.pYes - expectedPYes(counted)) < 1e-9);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('property: probabilities are always in [0, 1] and sum to 1, whatever the tokens', () => {
    const anyEntry = fc.record({ token: fc.oneof(fc.string({ maxLength: 8 }), entry), logprob: fc.double({ min: -1e6, max: 0, noNaN: true }) });
    const anyToken = fc.record({
      token: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('<answer>', '<', 'answer', '>', ' Yes', 'No', '>yes')),
      logprob: fc.double({ min: -50, max: 0, noNaN: true }),
      top_logprobs: fc.option(fc.array(anyEntry, { maxLength: 20 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.option(fc.array(anyToken, { maxLength: 30 }), { nil: null }), fc.boolean(), fc.constantFrom('Yes', 'No', null), (content, reasoning, sampled) => {
        const r = readAnswerProbability(content, { reasoning }, sampled as 'Yes' | 'No' | null);
        if (r === null) {
          assert.equal(sampled, null);
          return;
        }
        assert.ok(r.pYes >= 0 && r.pYes <= 1 && r.pNo >= 0 && r.pNo <= 1);
        assert.ok(Math.abs(r.pYes + r.pNo - 1) < 1e-12);
      }),
      { numRuns: 5000 },
    );
  });
});
