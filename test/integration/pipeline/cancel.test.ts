// Cancellation that arrives between frame extraction and answering (e.g. Ctrl-C while another
// video's ffmpeg runs) must still abort the answering requests: an 'abort' listener added after
// the signal fired would never hear it, and the run would wait for every request to finish.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { scoreVideo } from '../../../src/core/pipeline';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { startEndpointDouble, DEFAULT_DOUBLE_MODEL, type EndpointDouble } from '../../double/endpoint-double';
import { makeClip, makeTempDir } from '../../helpers/clips';

describe('scoreVideo cancellation', () => {
  let double: EndpointDouble;
  before(async () => {
    double = await startEndpointDouble({ latencyMs: 60_000 });
  });
  after(() => double.close());

  it('aborted after the frames and before the answers: no request is left waiting', async () => {
    const ws = await makeTempDir('finger-cancel-');
    const video = await makeClip(ws, 'a.mp4', { durationSec: 1 });
    await writeFile(
      path.join(ws, 'a.questions.json'),
      JSON.stringify({
        version: 1,
        prompt: 'A red ball',
        entities: [],
        questions: [1, 2, 3].map((i) => ({
          id: `q${i}`,
          dimension: 'visual_quality',
          entity: 'ball',
          text: `Is ball ${i} red?`,
          polarity: 'positive',
        })),
      }),
    );
    const controller = new AbortController();
    const started = Date.now();
    await assert.rejects(
      scoreVideo({
        videoPath: video,
        workspaceRoot: ws,
        settings: { ...DEFAULT_SETTINGS, endpoints: [{ baseUrl: double.url, model: DEFAULT_DOUBLE_MODEL }] },
        signal: controller.signal,
        // Frames and questions are ready, no answer has been asked yet.
        onEvent: (e) => {
          if (e.type === 'questions') controller.abort();
        },
      }),
      CancelledError,
    );
    // Far below the double's 60 s per answer: nothing waited for a response.
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      double.requests.filter((r) => r.kind === 'answer').every((r) => r.clientClosed || r.status !== undefined),
      'every answering request sent was aborted',
    );
  });
});
