// encodeJsonBody: the bytes of JSON.stringify(body), with a large video part serialized once per
// part object instead of once per request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeJsonBody } from '../../../src/core/endpoint/body';
import { buildAnswerRequest, buildVideoContent } from '../../../src/core/judge';

const jpeg = (seed: number, size = 6000) => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  b[0] = 0xff;
  b[1] = 0xd8;
  return b;
};

describe('encodeJsonBody', () => {
  for (const mode of ['video', 'frames'] as const) {
    it(`equals JSON.stringify for every question of a video (mode ${mode})`, () => {
      const videoContent = buildVideoContent({ mode, frames: [jpeg(1), jpeg(2), jpeg(3)].map((j) => ({ jpeg: j })) });
      for (const questionText of ['Is the dog\'s tail "wagging"?', 'Ünïcödé \u0001 and a </script> tag?', '']) {
        const body = {
          ...buildAnswerRequest({ systemText: 'Judge.\nAnswer <answer>Yes</answer>.', videoContent, questionText, reasoning: true }),
          model: 'm',
          stream: false,
        };
        assert.deepEqual(encodeJsonBody(body), Buffer.from(JSON.stringify(body), 'utf8'));
      }
    });
  }

  it('small bodies and bodies without media are plain JSON', () => {
    const body = { messages: [{ role: 'user', content: 'hello' }], model: 'm', n: 1, stop: null };
    assert.deepEqual(encodeJsonBody(body), Buffer.from(JSON.stringify(body)));
    const tiny = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } }] }] };
    assert.deepEqual(encodeJsonBody(tiny), Buffer.from(JSON.stringify(tiny)));
  });

  it('a question text that looks like the placeholder cannot splice in a part', () => {
    const videoContent = buildVideoContent({ mode: 'video', frames: [{ jpeg: jpeg(4) }] });
    const questionText = '"\\u0001finger-part-0"';
    const body = buildAnswerRequest({ systemText: 's', videoContent, questionText, reasoning: false });
    assert.deepEqual(encodeJsonBody(body), Buffer.from(JSON.stringify(body)));
  });
});
