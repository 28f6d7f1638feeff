// The scoring protocols, each a strategy (strategy.ts) that the one pipeline runs (pipeline.ts,
// scoreVideo): FingER itself, and beside it, with the same result shape, VideoScore2 and Q-Save
// (docs/ARCHITECTURE.md, "The scoring pipeline" and "Adding a protocol").
//
// Results are saved through the same store, in a sibling folder per protocol:
// `.finger/results-<protocol>/<video path>.json` (protocolResultsDir). A sibling folder, not a
// suffix inside `.finger/results/`, so that listing FingER results (listResults) never mistakes
// a protocol's file for another video, and listResults(ws, protocolResultsDir(p)) lists a
// protocol's results unchanged.
import { DEFAULT_RESULTS_DIR, resultPathFor } from '../store';
import type { Protocol } from '../types';
import { fingerProtocol } from './finger';
import { qSaveProtocol } from './qsave';
import type { ScoringProtocol } from './strategy';
import { videoScore2Protocol } from './videoscore2';
import { signalsProtocol } from './signals';

export * from './aggregate';
export * from './scores';
export * from './videoscore2';
export * from './qsave';
export * from './strategy';
export { fingerProtocol } from './finger';

/** Every protocol by its id (the `protocol` of a result, `--protocol`, `finger.protocol`). */
export const PROTOCOLS: { readonly [P in Protocol]: ScoringProtocol } = {
  finger: fingerProtocol,
  videoscore2: videoScore2Protocol,
  qsave: qSaveProtocol,
  signals: signalsProtocol,
};

export function protocolFor(id: Protocol): ScoringProtocol {
  return PROTOCOLS[id];
}

/** Protocols that ask an endpoint one request per video (signals asks none: ../signals). */
export type AlternativeProtocol = Exclude<Protocol, 'finger' | 'signals'>;
export const ALTERNATIVE_PROTOCOLS: readonly AlternativeProtocol[] = ['videoscore2', 'qsave'];

/** `.finger/results` → `.finger/results-videoscore2` (relative to the workspace, like resultsDir);
 *  FingER's own folder, unchanged, for 'finger'. */
export function protocolResultsDir(protocol: Protocol, resultsDir: string = DEFAULT_RESULTS_DIR): string {
  return protocol === 'finger' ? resultsDir : `${resultsDir.replace(/[\\/]+$/, '')}-${protocol}`;
}

/** `<ws>/.finger/results-<protocol>/<video path relative to ws>.json`; FingER's own path for 'finger'. */
export function protocolResultPathFor(protocol: Protocol, workspaceRoot: string, videoPath: string, resultsDir?: string): string {
  return resultPathFor(workspaceRoot, videoPath, protocolResultsDir(protocol, resultsDir));
}
