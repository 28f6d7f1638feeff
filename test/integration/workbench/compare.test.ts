// `finger compare` and `finger best-of-n` on 3 "models" × 12 prompts scored by the real CLI
// against the endpoint double, each model's folder scored with the double answering differently.
// The ranking, intervals, win/tie/loss counts and p-values are recomputed here from the result
// files, independently of src/core/workbench (own generator, own quantile, own binomial).
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extractEntities, generateQuestions, startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import { makeClip, makeTempDir, removeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';
import { ResultSchema, type Result } from '../../../src/core/types';

const PROMPTS = [
  'A dog runs on the beach',
  'A red car drives through the city',
  'A chef slices a tomato on a wooden board',
  'A cat sleeps on the sofa',
  'A bird lands on a branch',
  'A horse gallops across the field',
  'A child flies a yellow kite',
  'A woman reads a book in the park',
  'A boat sails on the river',
  'An astronaut walks on the moon',
  'A panda eats bamboo in the forest',
  'A man plays the guitar on the street',
];
const MODELS = ['alpha', 'beta', 'gamma'];
/** How the double answers for each model: beta renders better and flickers less, gamma worse. */
const ANSWERS: Record<string, Record<string, { pYes: number }>> = {
  alpha: {},
  beta: { 'rendered clearly': { pYes: 0.93 }, flicker: { pYes: 0.06 } },
  gamma: { 'rendered clearly': { pYes: 0.3 }, 'break physics': { pYes: 0.65 } },
};

/** The double's own questions about the prompt's first entity, one per dimension, as
 *  `<name>.questions.json` beside each clip: what compare proves does not depend on how many
 *  questions a clip has, and five instead of ~15 make the 36 scorings several times cheaper.
 *  Every model's clip of a prompt gets the same set, as generated questions would be. */
function questionSetOf(prompt: string): string {
  const entity = extractEntities(prompt)[0]!;
  const questions = generateQuestions([entity]).map((q, i) => ({ id: `q${i + 1}`, ...q }));
  return JSON.stringify({ version: 1, prompt, entities: [{ id: entity.id, name: entity.name }], questions });
}

// ── the independent computation ───────────────────────────────────────────────────────────────
/** mulberry32 as published (Tommy Ettinger), written out again here. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** numpy.percentile's default (linear) on sorted data. */
function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i]! * (1 - (pos - i)) + s[i + 1]! * (pos - i) : s[i]!;
}
/** Exact two-sided binomial test at ½ with Pascal's triangle (BigInt, no logarithms). */
function binomTwoSided(k: number, n: number): number {
  if (n === 0) return 1;
  let row = [1n];
  for (let i = 0; i < n; i++) row = [1n, ...row.slice(1).map((v, j) => v + row[j]!), 1n];
  const lo = Math.min(k, n - k);
  let tail = 0n;
  for (let i = 0; i <= lo; i++) tail += row[i]!;
  return Math.min(1, (2 * Number(tail)) / 2 ** n);
}

describe('finger compare and best-of-n on 3 models × 12 prompts', () => {
  let double: EndpointDouble;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  /** overall[model][prompt index] from the result files. */
  const overall: Record<string, number[]> = {};
  const results: Record<string, Result[]> = {};

  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
    ws = await makeTempDir('finger-compare-');
    const made = path.join(ws, 'made');
    await mkdir(made);
    for (const [i] of PROMPTS.entries())
      await makeClip(made, `p${String(i + 1).padStart(2, '0')}.mp4`, { durationSec: 0.5, width: 96, height: 64 });
    for (const m of MODELS) {
      await mkdir(path.join(ws, 'out', m, 'set'), { recursive: true });
      for (const [i, prompt] of PROMPTS.entries()) {
        const name = `p${String(i + 1).padStart(2, '0')}`;
        await copyFile(path.join(made, `${name}.mp4`), path.join(ws, 'out', m, 'set', `${name}.mp4`));
        await writeFile(path.join(ws, 'out', m, 'set', `${name}.txt`), prompt);
        await writeFile(path.join(ws, 'out', m, 'set', `${name}.questions.json`), questionSetOf(prompt));
      }
    }
    for (const m of MODELS) {
      double.setOptions({ answers: ANSWERS[m]! });
      // --force: the clips are byte-identical across models, and the answer cache is keyed by content.
      const run = await runCli(['score', `out/${m}`, '--force'], { cwd: ws, env });
      assert.equal(run.code, 0, run.stderr);
      results[m] = [];
      for (const [i] of PROMPTS.entries()) {
        const r = ResultSchema.parse(
          JSON.parse(await readFile(path.join(ws, '.finger/results/out', m, 'set', `p${String(i + 1).padStart(2, '0')}.mp4.json`), 'utf8')),
        );
        results[m].push(r);
      }
      overall[m] = results[m].map((r) => r.overall!);
    }
  });
  after(async () => {
    await double.close();
    await removeTempDir(ws);
  });

  it('the models differ', () => {
    assert.notDeepEqual(overall.alpha, overall.beta);
    assert.notDeepEqual(overall.alpha, overall.gamma);
  });

  it('ranking, intervals, win/tie/loss and p-values equal the independent computation', async () => {
    const run = await runCli(['compare', 'out', '--format', 'json', '--resamples', '500', '--seed', '42'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const r = JSON.parse(run.stdout);
    assert.equal(r.method, 'layout');
    assert.equal(r.promptsCompared, 12);
    assert.deepEqual(r.models, MODELS);
    const n = PROMPTS.length;
    const draw = rng(42);
    const samples: number[][] = [];
    for (let b = 0; b < 500; b++) samples.push(Array.from({ length: n }, () => Math.floor(draw() * n)));
    const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const ci = (xs: number[]) => {
      const means = samples.map((idx) => meanOf(idx.map((i) => xs[i]!)));
      return [percentile(means, 0.025), percentile(means, 0.975)];
    };
    const order = [...MODELS].sort((a, b) => meanOf(overall[b]!) - meanOf(overall[a]!));
    assert.deepEqual(
      r.leaderboard.map((s: { model: string }) => s.model),
      order,
    );
    r.leaderboard.forEach(
      (
        s: {
          model: string;
          rank: number;
          metrics: { overall: { mean: number; interval: { low: number; high: number } }; visual_quality: { mean: number } };
        },
        i: number,
      ) => {
        assert.equal(s.rank, i + 1);
        const want = ci(overall[s.model]!);
        assert.ok(Math.abs(s.metrics.overall.mean - meanOf(overall[s.model]!)) < 1e-12);
        assert.ok(Math.abs(s.metrics.overall.interval.low - want[0]!) < 1e-12, `${s.model} low`);
        assert.ok(Math.abs(s.metrics.overall.interval.high - want[1]!) < 1e-12, `${s.model} high`);
        // A dimension's mean too.
        const vq = results[s.model]!.map((x) => x.dimensions.visual_quality!.score!);
        assert.ok(Math.abs(s.metrics.visual_quality.mean - meanOf(vq)) < 1e-12);
      },
    );
    assert.equal(r.pairs.length, 3);
    for (const p of r.pairs) {
      const d = overall[p.a]!.map((x, i) => x - overall[p.b]![i]!);
      const wins = d.filter((x) => x > 1e-9).length;
      const losses = d.filter((x) => x < -1e-9).length;
      assert.deepEqual([p.wins, p.ties, p.losses], [wins, n - wins - losses, losses], `${p.a} vs ${p.b}`);
      assert.ok(Math.abs(p.p - binomTwoSided(wins, wins + losses)) < 1e-12, `p of ${p.a} vs ${p.b}: ${p.p}`);
      assert.ok(Math.abs(p.meanDifference - meanOf(d)) < 1e-12);
      const want = ci(d);
      assert.ok(Math.abs(p.interval.low - want[0]!) < 1e-12 && Math.abs(p.interval.high - want[1]!) < 1e-12);
    }
    // Per prompt: every model's score.
    const row = r.prompts.find((x: { key: string }) => x.key === 'set/p03');
    assert.equal(row.prompt, PROMPTS[2]);
    for (const m of MODELS) assert.equal(row.models[m].scores.overall, overall[m]![2]);
  });

  it('the same seed gives the same report; table and csv say the same', async () => {
    const a = await runCli(['compare', 'out', '--format', 'json'], { cwd: ws, env });
    const b = await runCli(['compare', 'out', '--format', 'json'], { cwd: ws, env });
    assert.equal(a.stdout, b.stdout);
    const r = JSON.parse(a.stdout);
    const table = await runCli(['compare', 'out'], { cwd: ws, env });
    assert.equal(table.code, 0);
    assert.match(table.stdout, /3 models on 12 prompts \(grouped by layout\)/);
    assert.match(table.stdout, /sign test \(exact, two-sided\)/);
    const first = r.leaderboard[0];
    assert.ok(table.stdout.includes(`${first.model}  `) && table.stdout.includes(first.metrics.overall.mean.toFixed(3)));
    const csv = await runCli(['compare', 'out', '--format', 'csv', '--out', 'cmp.csv'], { cwd: ws, env });
    assert.equal(csv.code, 0);
    const text = await readFile(path.join(ws, 'cmp.csv'), 'utf8');
    assert.match(text.split('\n')[0]!, /^model,rank,clips,overall,overall_low,overall_high,/);
    assert.ok(text.includes(`${first.model},1,12,${first.metrics.overall.mean}`));
  });

  it("best-of-n across models picks each prompt's best clip with its margin", async () => {
    const run = await runCli(['best-of-n', 'out', '--across', '--out', 'picks.csv', '--json'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const r = JSON.parse(await readFile(path.join(ws, 'picks.csv'), 'utf8'));
    assert.equal(r.picks.length, 12);
    for (const [i] of PROMPTS.entries()) {
      const scores = MODELS.map((m) => ({ m, s: overall[m]![i]! })).sort((x, y) => y.s - x.s);
      const pick = r.picks.find((p: { promptKey: string }) => p.promptKey === `set/p${String(i + 1).padStart(2, '0')}`);
      assert.equal(pick.best.model, scores[0]!.m);
      assert.equal(pick.best.video, `out/${scores[0]!.m}/set/p${String(i + 1).padStart(2, '0')}.mp4`);
      assert.ok(Math.abs(pick.margin - (scores[0]!.s - scores[1]!.s)) < 1e-12);
      assert.equal(pick.worst.model, scores[2]!.m);
    }
    // Per model with a dimension as the metric: one clip each, so no margin, and the CSV header.
    const per = await runCli(['best-of-n', 'out', '--metric', 'visual_quality'], { cwd: ws, env });
    assert.equal(per.code, 0);
    assert.match(
      per.stdout.split('\n')[0]!,
      /^prompt_key,model,n,metric,best_video,best_model,best_score,runner_up_video,runner_up_score,margin/,
    );
    assert.equal(per.stdout.trim().split('\n').length, 1 + 36);
    assert.match(per.stderr, /only one scored clip per model/);
  });
});
