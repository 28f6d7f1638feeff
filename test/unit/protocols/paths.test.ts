import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { protocolResultPathFor, protocolResultsDir } from '../../../src/core/protocols';

describe('protocol result paths', () => {
  const ws = path.resolve('/ws');
  it('puts each protocol in a sibling of the FingER results folder', () => {
    assert.equal(protocolResultsDir('videoscore2'), '.finger/results-videoscore2');
    assert.equal(protocolResultsDir('qsave', 'out/results/'), 'out/results-qsave');
    assert.equal(
      protocolResultPathFor('qsave', ws, path.join(ws, 'clips', 'a.mp4')),
      path.join(ws, '.finger', 'results-qsave', 'clips', 'a.mp4.json'),
    );
  });

  it("keeps FingER's own path for 'finger'", () => {
    assert.equal(protocolResultPathFor('finger', ws, path.join(ws, 'a.mp4')), path.join(ws, '.finger', 'results', 'a.mp4.json'));
  });

  it('refuses a video outside the workspace', () => {
    assert.throws(() => protocolResultPathFor('videoscore2', ws, path.resolve('/elsewhere/a.mp4')), /outside the workspace/);
  });
});
