// Annotations of manifest entries, without VS Code: locatePromptManifest + compute.ts map entity
// words found in an entry's prompt text back to the raw manifest text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locatePromptManifest } from '../../../src/core/prompts';
import type { AnsweredQuestion, Dimension } from '../../../src/core/types';
import { computeManifestEntryAnnotations } from '../../../src/extension/annotations/compute';
import { applyOverridesToResult } from '../../../src/shared/display';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';

const q = (id: string, dimension: Dimension, entity: string, pYes: number) =>
  answeredQuestion(id, dimension, entity, `Question about the ${entity}?`, pYes, 'because');
const result = (prompt: string, questions: AnsweredQuestion[]) => resultFor('a.mp4', prompt, questions);
/** As the results index displays a result without labels. */
const annotate = (
  entry: Parameters<typeof computeManifestEntryAnnotations>[0],
  video: { path: string; label: string },
  r: ReturnType<typeof result>,
) => computeManifestEntryAnnotations(entry, video, r, applyOverridesToResult(r, null));

describe('computeManifestEntryAnnotations', () => {
  it('marks the words of the right entry, through JSON escapes, and names the video in the lens', () => {
    // "umbrella" is in both prompts; only the second entry's video is given here.
    const text = '{\r\n  "a.mp4": "An umbrella",\r\n  "b.mp4": "A \\"red\\" umbrella\\nin the caf\\u00e9 rain"\r\n}\r\n';
    const [, b] = locatePromptManifest(text, 'prompts.json');
    const a = annotate(
      b!,
      { path: '/ws/b.mp4', label: 'b.mp4' },
      result('A "red" umbrella\nin the café rain', [
        q('q1', 'visual_quality', 'red umbrella', 0.2),
        q('q2', 'visual_quality', 'café', 0.3),
        q('q3', 'visual_quality', 'rain', 0.9),
      ]),
    );
    assert.deepEqual(
      a.diagnostics.map((d) => text.slice(d.start, d.end)),
      ['red', 'umbrella', 'caf\\u00e9'], // "red umbrella" is not written as such: its words are marked
    );
    assert.ok(a.diagnostics[0]!.start > text.indexOf('"b.mp4"'), 'not the umbrella of a.mp4');
    assert.deepEqual(a.hovers.map((h) => text.slice(h.start, h.end)).sort(), ['caf\\u00e9', 'rain', 'red', 'umbrella']);
    assert.match(a.lens.title, /^b\.mp4 {2}· {2}FingER /);
    assert.equal(a.video, '/ws/b.mp4');
    assert.equal(text.slice(a.entry.start, a.entry.end), '"b.mp4": "A \\"red\\" umbrella\\nin the caf\\u00e9 rain"');
  });

  it('maps through CSV doubled quotes and a CRLF inside quotes', () => {
    const text = 'video,prompt\r\nx.mp4,"A ""big"" dog,\r\nwith a ball"\r\n';
    const [x] = locatePromptManifest(text, 'prompts.csv');
    const a = annotate(
      x!,
      { path: '/ws/x.mp4', label: 'x.mp4' },
      result('A "big" dog,\nwith a ball', [q('q1', 'visual_quality', 'ball', 0.1), q('q2', 'visual_quality', 'big dog', 0.1)]),
    );
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
