// Annotations of manifest entries, without VS Code: locatePromptManifest + compute.ts map entity
// words found in an entry's prompt text back to the raw manifest text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locatePromptManifest } from '../../../src/core/prompts';
import type { Result } from '../../../src/core/types';
import { computeManifestEntryAnnotations } from '../../../src/extension/annotations/compute';

type Q = Result['questions'][number];
function q(id: string, dimension: Q['dimension'], entity: string, pYes: number): Q {
  return { id, dimension, entity, text: `Question about the ${entity}?`, polarity: 'positive', answer: pYes >= 0.5 ? 'Yes' : 'No', reason: 'because', pYes, pNo: 1 - pYes, score: pYes, probabilitySource: 'logprobs', error: null };
}
function result(prompt: string, questions: Q[]): Result {
  return {
    version: 1,
    protocol: 'finger',
    video: { path: 'a.mp4', sha256: 'c'.repeat(64), durationSec: 1, width: 2, height: 2, fps: 1 },
    prompt,
    endpoint: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' },
    sampling: { mode: 'video', fps: 2, maxFrames: 32, maxPixels: 200704, frames: 2 },
    createdAt: '2026-01-01T00:00:00.000Z',
    questions,
    dimensions: { visual_quality: { score: 0.5, sum: 1, count: 2, weight: 1 } },
    overall: 0.5,
  };
}

describe('computeManifestEntryAnnotations', () => {
  it('marks the words of the right entry, through JSON escapes, and names the video in the lens', () => {
    // "umbrella" is in both prompts; only the second entry's video is given here.
    const text = '{\r\n  "a.mp4": "An umbrella",\r\n  "b.mp4": "A \\"red\\" umbrella\\nin the caf\\u00e9 rain"\r\n}\r\n';
    const [, b] = locatePromptManifest(text, 'prompts.json');
    const a = computeManifestEntryAnnotations(b!, { path: '/ws/b.mp4', label: 'b.mp4' }, result('A "red" umbrella\nin the café rain', [q('q1', 'visual_quality', 'red umbrella', 0.2), q('q2', 'visual_quality', 'café', 0.3), q('q3', 'visual_quality', 'rain', 0.9)]), null);
    assert.deepEqual(
      a.diagnostics.map((d) => text.slice(d.start, d.end)),
      ['red', 'umbrella', 'caf\\u00e9'], // "red umbrella" is not written as such: its words are marked
    );
    assert.ok(a.diagnostics[0]!.start > text.indexOf('"b.mp4"'), 'not the umbrella of a.mp4');
    assert.deepEqual(
      a.hovers.map((h) => text.slice(h.start, h.end)).sort(),
      ['caf\\u00e9', 'rain', 'red', 'umbrella'],
    );
    assert.match(a.lens.title, /^b\.mp4 {2}· {2}FingER /);
    assert.equal(a.video, '/ws/b.mp4');
    assert.equal(text.slice(a.entry.start, a.entry.end), '"b.mp4": "A \\"red\\" umbrella\\nin the caf\\u00e9 rain"');
  });

  it('maps through CSV doubled quotes and a CRLF inside quotes', () => {
    const text = 'video,prompt\r\nx.mp4,"A ""big"" dog,\r\nwith a ball"\r\n';
    const [x] = locatePromptManifest(text, 'prompts.csv');
    const a = computeManifestEntryAnnotations(x!, { path: '/ws/x.mp4', label: 'x.mp4' }, result('A "big" dog,\nwith a ball', [q('q1', 'visual_quality', 'ball', 0.1), q('q2', 'visual_quality', 'big dog', 0.1)]), null);
    assert.deepEqual(
      a.diagnostics.map((d) => [text.slice(d.start, d.end), d.start]).sort((l, r) => (l[1] as number) - (r[1] as number)),
      [
        ['big', text.indexOf('big')],
        ['dog', text.indexOf('dog')],
        ['ball', text.indexOf('ball')],
      ],
    );
  });
});
