// scoreVideo with the VideoScore2 and Q-Save strategies end to end: real clip → real ffmpeg frames → EndpointPool → real openai
// client → HTTP → a small OpenAI-compatible server in this file. The shared endpoint double
// answers FingER's yes/no questions only, so this server speaks the same chat-completions
// protocol for VideoScore2 and Q-Save replies, with logprobs at the rating digits that the
// tests state and then score by hand.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { listResults, readResult } from '../../../src/core/store';
import { protocolResultPathFor } from '../../../src/core/protocols';
import { DEFAULT_SETTINGS, type EvalSettings } from '../../../src/core/settings';
import { jpegSize } from '../../../src/core/video';
import { scoreVideo, type PipelineEvent, type ScoreVideoTarget } from '../../../src/core/pipeline';
import type { Protocol } from '../../../src/core/types';
import { countWrites } from '../../helpers/fs-writes';
import { makeClip, makeTempDir, removeTempDir, testFfmpeg, testFfprobe } from '../../helpers/clips';
import { completionFrom, tokensOf, type Piece } from '../../helpers/completion';
import { assertClose as close } from '../../helpers/assert';

const MODEL = 'TIGER-Lab/VideoScore2';

interface ServedReply {
  status?: number;
  pieces?: Piece[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are client JSON, read field by field */
interface ChatServer {
  url: string;
  bodies: any[];
  reply: (body: any) => ServedReply;
  close(): Promise<void>;
}

async function startChatServer(): Promise<ChatServer> {
  const state: ChatServer = { url: '', bodies: [], reply: () => ({ status: 500 }), close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      state.bodies.push(body);
      const r = state.reply(body);
      if (r.status && r.status !== 200) {
        res
          .writeHead(r.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'engine crashed', type: 'InternalServerError', code: r.status } }));
        return;
      }
      const completion = completionFrom(r.pieces ?? []) as any;
      completion.model = body.model;
      // Like vLLM: at most the requested number of alternatives per token.
      for (const t of completion.choices[0].logprobs.content) t.top_logprobs = t.top_logprobs.slice(0, body.top_logprobs ?? 0);
      if (!body.logprobs) completion.choices[0].logprobs = null;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

function userParts(body: any): any[] {
  return body.messages.find((m: any) => m.role === 'user').content;
}

/** The JPEGs of a `data:video/jpeg;base64,<f1>,<f2>,…` URL. */
function framesOfVideoUrl(url: string): Buffer[] {
  assert.ok(url.startsWith('data:video/jpeg;base64,'), url.slice(0, 40));
  return url
    .slice('data:video/jpeg;base64,'.length)
    .split(',')
    .map((b) => Buffer.from(b, 'base64'));
}

type Options = ScoreVideoTarget & { settings: EvalSettings };
const scoreWith = (protocol: Protocol, o: Options) => scoreVideo({ ...o, protocol });

describe('alternative protocols end to end', () => {
  let server: ChatServer;
  let ws: string;
  let clip: string;
  before(async () => {
    server = await startChatServer();
    ws = await makeTempDir('finger-protocols-');
    await mkdir(path.join(ws, 'clips'));
    // 2 s, 320×240: at the default 2 fps the judge sees 4 frames.
    clip = await makeClip(ws, 'clips/kitten.mp4', { durationSec: 2, width: 320, height: 240 });
  });
  afterEach(() => {
    server.bodies.length = 0;
  });
  after(async () => {
    await server.close();
    await removeTempDir(ws);
  });

  const settings = (over: Partial<EvalSettings> = {}): EvalSettings => ({
    ...DEFAULT_SETTINGS,
    endpoints: [{ baseUrl: server.url, model: MODEL }],
    maxRetries: 0,
    requestTimeoutMs: 10_000,
    ffmpegPath: testFfmpeg,
    ffprobePath: testFfprobe,
    ...over,
  });
  const options = (over: Partial<Options> = {}): Options => ({
    videoPath: clip,
    workspaceRoot: ws,
    settings: settings(),
    prompt: 'A playful kitten chases a dangling string across the room',
    ...over,
  });

  it('VideoScore2: one request (system → video → query), soft scores from the digit logprobs, saved beside FingER results', async () => {
    server.reply = () => ({
      pieces: tokensOf(
        '<think>The kitten is sharp but the string vanishes.</think>\n\n(1) visual quality: {{0}}\n(2) text-to-video alignment: {{1}}\n(3) physical/common-sense consistency: {{2}}',
        [
          { token: '4', top: { '4': 0.7, '5': 0.2, '3': 0.1 } },
          { token: '2', top: { '2': 0.6, '3': 0.4 } },
          { token: '3', top: { '3': 0.9, '4': 0.05, ' the': 0.05 } },
        ],
      ),
    });
    const events: PipelineEvent[] = [];
    const outcome = await scoreWith('videoscore2', options({ onEvent: (e) => events.push(e) }));

    assert.equal(server.bodies.length, 1);
    const body = server.bodies[0];
    assert.equal(body.model, MODEL);
    assert.equal(body.messages[0].role, 'system');
    const parts = userParts(body);
    assert.deepEqual(
      parts.map((p: any) => p.type),
      ['video_url', 'text'],
    );
    const frames = framesOfVideoUrl(parts[0].video_url.url);
    assert.equal(frames.length, 4, '2 s at 2 fps');
    // 320×240 cut to Qwen2.5-VL's 28-pixel patch grid (README, "Serving a model").
    assert.deepEqual(jpegSize(frames[0]!), { width: 308, height: 224 });
    // The frame list's real rate (4 frames over 2 s) and count, in the fields vLLM reads.
    assert.deepEqual(body.media_io_kwargs, { video: { fps: 2, num_frames: 4 } });
    assert.deepEqual(body.mm_processor_kwargs, { fps: 2 });
    assert.match(parts[1].text, /Video prompt: A playful kitten chases a dangling string across the room/);
    assert.equal(body.logprobs, true);

    // VideoScore2's vs2_inference.py: best rating × its probability renormalised over 1–5.
    // visual: 4 · .7 / 1 = 2.8 → (2.8−1)/4 = 0.45
    // t2v: 2 · .6 / 1 = 1.2 → 0.05
    // physical: 3 · .9 / .95 → (2.7/.95 − 1)/4
    const physical = (2.7 / 0.95 - 1) / 4;
    const r = outcome.result;
    assert.equal(r.protocol, 'videoscore2');
    close(r.dimensions.visual_quality?.score, 0.45);
    close(r.dimensions.text_alignment?.score, 0.05);
    close(r.dimensions.factual_consistency?.score, physical);
    close(r.overall, (0.45 + 0.05 + physical) / 3);
    assert.equal(r.questions[0]!.reason, 'The kitten is sharp but the string vanishes.');
    assert.equal(r.judge?.softScore, 'vs2-normed');
    assert.equal(r.sampling.frames, 4);
    assert.equal(r.video.path, 'clips/kitten.mp4');
    assert.equal(r.endpoint.model, MODEL);

    assert.equal(outcome.saved, true);
    assert.equal(outcome.resultFile, path.join(ws, '.finger', 'results-videoscore2', 'clips', 'kitten.mp4.json'));
    assert.equal(outcome.resultFile, protocolResultPathFor('videoscore2', ws, clip));
    const saved = await readResult(outcome.resultFile);
    assert.deepEqual(saved, r);
    // FingER's own results folder is untouched; the protocol's folder lists the clip under its path.
    assert.deepEqual(await listResults(ws), []);
    assert.deepEqual(
      (await listResults(ws, '.finger/results-videoscore2')).map((l) => l.videoRelPath),
      ['clips/kitten.mp4'],
    );

    assert.deepEqual(
      events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase),
      ['probe', 'frames', 'questions', 'answers', 'save'],
    );
    assert.equal(events.filter((e) => e.type === 'answer').length, 3);
    assert.equal(events.at(-1)?.type, 'saved');
  });

  it("VideoScore2 with softScore 'expected': the expected digit Σ d·p(d), recorded in the result", async () => {
    server.reply = () => ({
      pieces: tokensOf('visual quality: {{0}}\ntext-to-video alignment: {{1}}\nphysical/common-sense consistency: {{2}}', [
        { token: '4', top: { '4': 0.7, '5': 0.2, '3': 0.1 } },
        { token: '2', top: { '2': 0.6, '3': 0.4 } },
        { token: '3', top: { '3': 0.9, '4': 0.05, ' the': 0.05 } },
      ]),
    });
    // Its own results folder: the later tests read the first test's saved result, scored the default way.
    const r = (await scoreWith('videoscore2', options({ softScore: 'expected', resultsDir: '.finger/expected' }))).result;
    // visual: 4·.7 + 5·.2 + 3·.1 = 4.1 → (4.1−1)/4; t2v: 2·.6 + 3·.4 = 2.4; physical over the
    // digits only: (3·.9 + 4·.05) / .95.
    close(r.dimensions.visual_quality?.score, (4.1 - 1) / 4);
    close(r.dimensions.text_alignment?.score, (2.4 - 1) / 4);
    close(r.dimensions.factual_consistency?.score, (2.9 / 0.95 - 1) / 4);
    assert.equal(r.judge?.softScore, 'expected');
  });

  it('Q-Save: 4 high-resolution slow frames, then low-resolution fast frames, MOS as the overall', async () => {
    server.reply = () => ({
      pieces: tokensOf(
        [
          '<think>Fur is crisp; the kitten jumps unnaturally; no string.</think>',
          'visual quality: {{0}}',
          'visual attribution: crisp fur, stable lighting',
          'dynamic quality: {{1}}',
          'dynamic attribution: the kitten teleports between frames',
          'text-video alignment: 2',
          'alignment attribution: the dangling string is missing',
          'overall score: {{2}}',
        ].join('\n'),
        [
          { token: '5', top: { '5': 0.5, '4': 0.5 } },
          { token: '2', top: { '2': 0.8, '1': 0.2 } },
          { token: '3', top: { '3': 0.75, '2': 0.25 } },
        ],
      ),
    });
    const outcome = await scoreWith('qsave', options());

    const parts = userParts(server.bodies[0]);
    assert.deepEqual(
      parts.map((p: any) => p.type),
      ['image_url', 'image_url', 'image_url', 'image_url', 'video_url', 'text'],
    );
    const slow = parts.slice(0, 4).map((p: any) => Buffer.from(p.image_url.url.replace('data:image/jpeg;base64,', ''), 'base64'));
    // Slow frames at the full budget (448² ≥ 320×240, never upscaled): the source size cut to
    // the 28-pixel patch grid.
    for (const f of slow) assert.deepEqual(jpegSize(f), { width: 308, height: 224 });
    // Fast frames: 2 s at 4 fps = 8 frames, each within a quarter of 448² = 50176 pixels
    // (320×240 = 76800 scaled by √(50176/76800) ≈ 0.808 → 258×194 = 50052 → grid 252×168).
    const fast = framesOfVideoUrl(parts[4].video_url.url);
    assert.equal(fast.length, 8);
    assert.deepEqual(jpegSize(fast[0]!), { width: 252, height: 168 });
    // The fast pathway is the video part: its rate is 8 frames over 2 s.
    assert.deepEqual(server.bodies[0].media_io_kwargs, { video: { fps: 4, num_frames: 8 } });
    assert.match(parts[5].text, /first 4 images are high-resolution key frames/);

    const r = outcome.result;
    assert.equal(r.protocol, 'qsave');
    assert.equal(r.judge?.softScore, 'expected', "Q-Save's own rule");
    // visual: 4.5 → 0.875; dynamic: 2·.8 + 1·.2 = 1.8 → 0.2; alignment: sampled 2 (no alternatives stated → certain) → 0.25
    close(r.dimensions.visual_quality?.score, 0.875);
    close(r.dimensions.dynamic_degree?.score, 0.2);
    close(r.dimensions.text_alignment?.score, 0.25);
    // MOS: 3·.75 + 2·.25 = 2.75 → 0.4375, not the mean of the dimensions
    close(r.overall, 0.4375);
    assert.equal(r.questions[1]!.reason, 'the kitten teleports between frames');
    assert.equal(r.sampling.frames, 12);
    assert.equal(outcome.resultFile, path.join(ws, '.finger', 'results-qsave', 'clips', 'kitten.mp4.json'));
    assert.deepEqual(await readResult(outcome.resultFile), r);
  });

  it('Q-Save in frames mode sends every frame as an image', async () => {
    server.reply = () => ({ pieces: tokensOf('visual quality: 3\ndynamic quality: 3\ntext-video alignment: 3\noverall score: 3') });
    const outcome = await scoreWith('qsave', options({ settings: settings({ mode: 'frames' }), resultsDir: '.finger/frames-mode' }));
    const parts = userParts(server.bodies[0]);
    assert.deepEqual(
      parts.map((p: any) => p.type),
      [...Array(4 + 8).fill('image_url'), 'text'],
    );
    assert.match(parts.at(-1).text, /the remaining images/);
    close(outcome.result.overall, 0.5);
    assert.ok(outcome.result.questions.every((q) => q.probabilitySource === 'logprobs'));
  });

  it('an endpoint failure is recorded per dimension, and does not replace a complete saved result', async () => {
    server.reply = () => ({ status: 500 });
    const fresh = await scoreWith('videoscore2', options({ resultsDir: '.finger/failing' }));
    assert.equal(fresh.saved, true, 'nothing was saved before, so the failed result is kept as a record');
    assert.equal(fresh.result.overall, null);
    assert.equal(fresh.result.questions.length, 3);
    assert.ok(fresh.result.questions.every((q) => q.score === null && q.error !== null));

    // The first test saved a complete result for this clip. Asked the same way, the failed
    // dimensions keep their earlier ratings (the store's merge)…
    const before = await readResult(protocolResultPathFor('videoscore2', ws, clip));
    const merged = await scoreWith('videoscore2', options());
    assert.equal(merged.saved, true);
    assert.match(merged.note ?? '', /3 failed dimension\(s\) kept their earlier ratings/);
    assert.deepEqual(
      merged.result.questions.map((q) => q.score),
      before.questions.map((q) => q.score),
    );
    close(merged.result.overall, before.overall!);

    // …and asked differently (another temperature), the failure does not replace it.
    const kept = await scoreWith('videoscore2', options({ settings: settings({ temperature: 0.7 }) }));
    assert.equal(kept.saved, false);
    assert.match(kept.note ?? '', /complete result saved before was kept/);
    const onDisk = await readResult(protocolResultPathFor('videoscore2', ws, clip));
    assert.ok(onDisk.questions.every((q) => q.error === null));
    assert.equal(onDisk.judge?.temperature, 0);
  });

  it('Q-Save keeps its saved MOS as the overall when a failed reply is filled from the saved result', async () => {
    // The second test saved a complete Q-Save result with MOS 2.75 → 0.4375 (dimension mean 0.441…).
    server.reply = () => ({ status: 500 });
    const file = protocolResultPathFor('qsave', ws, clip);
    const { value: outcome, writes } = await countWrites(file, () => scoreWith('qsave', options()));
    assert.equal(outcome.saved, true);
    // Every rating and the MOS are the saved ones, so the file is left as it is (it used to be
    // written with the mean and then again with the MOS).
    assert.equal(writes, 0);
    assert.match(outcome.note ?? '', /3 failed dimension/);
    close(outcome.result.overall, 0.4375);
    close((await readResult(outcome.resultFile)).overall, 0.4375);
  });

  it('cancellation throws CancelledError and sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(scoreWith('qsave', options({ signal: controller.signal })), CancelledError);
    assert.equal(server.bodies.length, 0);
  });

  it('reads the prompt from the sidecar file when none is given', async () => {
    await writeFile(path.join(ws, 'clips', 'kitten.txt'), 'A kitten from the sidecar file\n');
    server.reply = () => ({ pieces: tokensOf('visual quality: 5\ntext-to-video alignment: 5\nphysical consistency: 5') });
    const outcome = await scoreWith('videoscore2', options({ prompt: undefined, resultsDir: '.finger/sidecar' }));
    assert.equal(outcome.result.prompt, 'A kitten from the sidecar file');
    assert.match(userParts(server.bodies[0]).at(-1).text, /Video prompt: A kitten from the sidecar file/);
    close(outcome.result.overall, 1);
  });
});
