// VS Code configuration → the engine's EvalSettings. The one place that knows the `finger.*`
// setting ids, so the manifest, this mapping and its test stay in step.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, isRoutingHeaderName, type EndpointConfig, type EvalSettings } from '../core/settings';
import { DIMENSIONS, FINGER_PATHS, type Dimension } from '../shared/model';
import type { InputMode, Protocol } from '../core/types';
import type { SoftScoreRule } from '../core/protocols/scores';

// Local copies of two value lists from core/types: importing that module would load zod during
// activation (≈100 ms), and this file is on the activation path (src/shared/model.ts has no zod).
const INPUT_MODES: readonly InputMode[] = ['video', 'frames', 'file'];
const PROTOCOL_IDS: readonly Protocol[] = ['finger', 'videoscore2', 'qsave', 'signals'];

export const CONFIG_SECTION = 'finger';

/** Settings a workspace must not be able to set while it is untrusted: they decide where
 *  workspace content is sent and which executable runs (package.json `restrictedConfigurations`). */
export const RESTRICTED_SETTINGS = [
  'endpoint.baseUrl',
  'endpoint.model',
  'endpoint.extra',
  'endpoint.routingHeader',
  'questions.baseUrl',
  'questions.model',
  'ffmpegPath',
] as const;

export const DEFAULT_RESULTS_FOLDER = FINGER_PATHS.results;

/** The subset of vscode.WorkspaceConfiguration this module reads; a test can pass a plain object. */
export type ConfigurationReader = Pick<vscode.WorkspaceConfiguration, 'get' | 'inspect'>;

/**
 * Reads one setting. In an untrusted workspace a restricted setting takes only the user or default
 * value: VS Code already hides workspace values of `restrictedConfigurations` from `get()` in
 * restricted mode, but doing it here too keeps the rule true for every caller and for tests.
 */
export function readSetting<T>(config: ConfigurationReader, key: string, fallback: T, trusted: boolean): T {
  if (!trusted && (RESTRICTED_SETTINGS as readonly string[]).includes(key)) {
    const i = config.inspect<T>(key);
    return i?.globalValue ?? i?.defaultValue ?? fallback;
  }
  return config.get<T>(key) ?? fallback;
}

function positive(n: unknown, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export interface ExtensionSettings {
  eval: EvalSettings;
  /** Workspace-relative folder of result files. */
  resultsFolder: string;
  /** The protocol Score Video, Score Folder and Open Results use (`finger.protocol`). */
  protocol: Protocol;
  /** VideoScore2 and Q-Save's soft-score rule (`finger.softScore`); absent: the protocol's own. */
  softScore?: SoftScoreRule;
}

/** Maps `finger.*` settings to EvalSettings. `apiKey` comes from SecretStorage or the environment. */
export function readEvalSettings(config: ConfigurationReader, o: { trusted: boolean; apiKey?: string }): ExtensionSettings {
  const get = <T>(key: string, fallback: T): T => readSetting(config, key, fallback, o.trusted);
  const apiKey = o.apiKey || undefined;
  const judge: EndpointConfig = {
    baseUrl: get('endpoint.baseUrl', 'http://127.0.0.1:8000/v1').trim(),
    model: get('endpoint.model', '').trim(),
    apiKey,
  };
  const extra = get<unknown[]>('endpoint.extra', [])
    .filter(
      (e): e is { baseUrl: string; model: string } =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as EndpointConfig).baseUrl === 'string' &&
        typeof (e as EndpointConfig).model === 'string',
    )
    .map((e): EndpointConfig => ({ baseUrl: e.baseUrl.trim(), model: e.model.trim(), apiKey }));
  const qBase = get('questions.baseUrl', '').trim();
  const qModel = get('questions.model', '').trim();
  const modeValue = get<string>('inputMode', DEFAULT_SETTINGS.mode);
  const rawWeights = get<Record<string, unknown>>('weights', {});
  const weights: Partial<Record<Dimension, number>> = {};
  for (const d of DIMENSIONS) {
    const w = rawWeights?.[d];
    if (typeof w === 'number' && Number.isFinite(w) && w >= 0) weights[d] = w;
  }
  const ffmpegPath = get('ffmpegPath', '').trim();
  return {
    eval: {
      ...DEFAULT_SETTINGS,
      endpoints: [judge, ...extra],
      questionEndpoint: qBase || qModel ? { baseUrl: qBase || judge.baseUrl, model: qModel || judge.model, apiKey } : undefined,
      mode: (INPUT_MODES as readonly string[]).includes(modeValue) ? (modeValue as InputMode) : DEFAULT_SETTINGS.mode,
      fps: positive(get('sampling.fps', DEFAULT_SETTINGS.fps), DEFAULT_SETTINGS.fps),
      maxFrames: Math.round(positive(get('sampling.maxFrames', DEFAULT_SETTINGS.maxFrames), DEFAULT_SETTINGS.maxFrames)),
      maxPixels: Math.round(positive(get('sampling.maxPixels', DEFAULT_SETTINGS.maxPixels), DEFAULT_SETTINGS.maxPixels)),
      reasoning: get('reasoning', DEFAULT_SETTINGS.reasoning) !== false,
      temperature: Math.max(0, Number(get('temperature', DEFAULT_SETTINGS.temperature)) || 0),
      concurrency: Math.round(positive(get('concurrency', DEFAULT_SETTINGS.concurrency), DEFAULT_SETTINGS.concurrency)),
      requestTimeoutMs: positive(get('requestTimeoutSeconds', DEFAULT_SETTINGS.requestTimeoutMs / 1000), 120) * 1000,
      weights,
      // An invalid name is flagged in the Settings editor (the setting's pattern); the default is used.
      routingHeader: ((v: string) => (isRoutingHeaderName(v) ? v : DEFAULT_SETTINGS.routingHeader))(
        String(get('endpoint.routingHeader', DEFAULT_SETTINGS.routingHeader)).trim(),
      ),
      ffmpegPath: ffmpegPath || undefined,
    },
    resultsFolder: normaliseResultsFolder(get('resultsFolder', DEFAULT_RESULTS_FOLDER)),
    protocol: asProtocol(get<string>('protocol', 'finger')),
    ...softScoreOf(get<string>('softScore', 'default')),
  };
}

/** `finger.softScore`: 'default' (or anything else) leaves each protocol its own rule. */
function softScoreOf(value: string): { softScore?: SoftScoreRule } {
  return value === 'vs2-normed' || value === 'expected' ? { softScore: value } : {};
}

function asProtocol(value: string): Protocol {
  return (PROTOCOL_IDS as readonly string[]).includes(value) ? (value as Protocol) : 'finger';
}

/** Workspace-relative, forward slashes, never escaping the workspace (a setting must not make us
 *  write elsewhere). */
export function normaliseResultsFolder(value: string): string {
  const v = value
    .trim()
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  if (!v || v.startsWith('/') || /^[a-zA-Z]:/.test(v) || v.split('/').includes('..')) return DEFAULT_RESULTS_FOLDER;
  return v;
}

export function affectsEvalSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(CONFIG_SECTION);
}
