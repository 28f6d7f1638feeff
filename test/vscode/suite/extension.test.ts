// The extension inside the real extension host: commands, manifest, settings mapping, trust rules.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readEvalSettings, RESTRICTED_SETTINGS, type ConfigurationReader } from '../../../src/extension/settings';
import { EXTENSION_ID, fingerApi } from './api';

const COMMANDS = [
  'finger.scoreVideo',
  'finger.scoreVideoWith',
  'finger.scoreFolder',
  'finger.compareFolder',
  'finger.openResults',
  'finger.rescore',
  'finger.customizeTemplates',
  'finger.setApiKey',
  'finger.clearApiKey',
  'finger.showLog',
  'finger.cancelScoring',
];

suite('Manifest and commands', () => {
  test('every FingER command is registered after activation', async () => {
    await fingerApi();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of COMMANDS) assert.ok(registered.has(c), `${c} is not registered`);
  });

  test('commands are contributed in the FingER category with titles', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const contributed = pkg.contributes.commands as { command: string; title: string; category: string }[];
    assert.deepEqual(contributed.map((c) => c.command).sort(), [...COMMANDS].sort());
    for (const c of contributed) assert.equal(c.category, 'FingER', c.command);
    // Everything else activates implicitly from its contribution; a results panel restored after a
    // reload is no contribution, and without this event it would stay blank.
    assert.deepEqual(pkg.activationEvents, ['onWebviewPanel:finger.results']);
  });

  test('every setting has a markdownDescription; restricted and machine settings are declared', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const props = pkg.contributes.configuration.properties as Record<string, { markdownDescription?: string; scope?: string }>;
    assert.ok(Object.keys(props).length >= 16);
    for (const [id, p] of Object.entries(props))
      assert.ok(p.markdownDescription && p.markdownDescription.length > 10, `${id} lacks a markdownDescription`);
    assert.equal(props['finger.ffmpegPath']!.scope, 'machine');
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), RESTRICTED_SETTINGS.map((k) => `finger.${k}`).sort());
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
  });

  test('video files and folders get explorer menu entries, prompt files an editor-title entry', () => {
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus;
    const explorer = menus['explorer/context'] as { command: string; when: string }[];
    const score = explorer.find((m) => m.command === 'finger.scoreVideo')!;
    // A remote extension host (code-server) sees `resourceScheme == file` rewritten to its scheme.
    assert.match(score.when, /resourceScheme == (file|'vscode-remote')/);
    const re = new RegExp(/resourceExtname =~ \/(.*)\/i/.exec(score.when)![1]!, 'i');
    for (const ext of ['.mp4', '.MOV', '.m4v', '.mkv', '.webm', '.AVI']) assert.ok(re.test(ext), ext);
    assert.ok(!re.test('.txt'));
    assert.ok(explorer.some((m) => m.command === 'finger.scoreFolder' && /explorerResourceIsFolder/.test(m.when)));
    assert.ok(explorer.some((m) => m.command === 'finger.compareFolder' && /explorerResourceIsFolder/.test(m.when)));
    assert.ok((menus['editor/title'] as { when: string }[]).some((m) => /finger\.promptFileHasVideo/.test(m.when)));
  });
});

suite('Settings → EvalSettings', () => {
  const config = () => vscode.workspace.getConfiguration('finger');
  const target = vscode.ConfigurationTarget.Workspace;
  const keys = [
    'sampling.fps',
    'sampling.maxFrames',
    'inputMode',
    'reasoning',
    'temperature',
    'concurrency',
    'requestTimeoutSeconds',
    'weights',
    'endpoint.extra',
    'questions.model',
  ];

  suiteTeardown(async () => {
    for (const k of keys) await config().update(k, undefined, target);
  });

  test('workspace settings map onto the engine settings', async () => {
    const api = await fingerApi();
    await config().update('sampling.fps', 3, target);
    await config().update('sampling.maxFrames', 12, target);
    await config().update('inputMode', 'frames', target);
    await config().update('reasoning', false, target);
    await config().update('temperature', 0.5, target);
    await config().update('concurrency', 3, target);
    await config().update('requestTimeoutSeconds', 7, target);
    await config().update('weights', { visual_quality: 2, text_alignment: 0 }, target);
    await config().update('endpoint.extra', [{ baseUrl: 'http://127.0.0.1:9/v1', model: 'm2' }], target);
    await config().update('questions.model', 'question-model', target);
    const s = (await api.host.settings()).eval;
    assert.equal(s.fps, 3);
    assert.equal(s.maxFrames, 12);
    assert.equal(s.mode, 'frames');
    assert.equal(s.reasoning, false);
    assert.equal(s.temperature, 0.5);
    assert.equal(s.concurrency, 3);
    assert.equal(s.requestTimeoutMs, 7000);
    assert.equal(s.weights.visual_quality, 2);
    assert.equal(s.weights.text_alignment, 0);
    assert.equal(s.endpoints.length, 2);
    assert.deepEqual({ baseUrl: s.endpoints[1]!.baseUrl, model: s.endpoints[1]!.model }, { baseUrl: 'http://127.0.0.1:9/v1', model: 'm2' });
    // question endpoint defaults to the judge's URL, with its own model
    assert.equal(s.questionEndpoint?.baseUrl, s.endpoints[0]!.baseUrl);
    assert.equal(s.questionEndpoint?.model, 'question-model');
  });

  test('defaults match the documented ones', () => {
    const s = readEvalSettings(fakeConfig({}), { trusted: true }).eval;
    assert.equal(s.fps, 2);
    assert.equal(s.maxFrames, 32);
    assert.equal(s.maxPixels, 448 * 448);
    assert.equal(s.mode, 'video');
    assert.equal(s.reasoning, true);
    assert.equal(s.temperature, 0);
    assert.equal(s.questionEndpoint, undefined);
  });

  test("finger.softScore names VideoScore2 and Q-Save's rule; 'default' leaves each protocol its own", () => {
    assert.equal(readEvalSettings(fakeConfig({}), { trusted: true }).softScore, undefined);
    assert.equal(readEvalSettings(fakeConfig({ softScore: { workspaceValue: 'default' } }), { trusted: true }).softScore, undefined);
    assert.equal(readEvalSettings(fakeConfig({ softScore: { workspaceValue: 'expected' } }), { trusted: true }).softScore, 'expected');
    assert.equal(readEvalSettings(fakeConfig({ softScore: { workspaceValue: 'vs2-normed' } }), { trusted: true }).softScore, 'vs2-normed');
    assert.equal(readEvalSettings(fakeConfig({ softScore: { workspaceValue: 'median' } }), { trusted: true }).softScore, undefined);
    const declared = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.configuration.properties['finger.softScore'];
    assert.deepEqual(declared.enum, ['default', 'vs2-normed', 'expected']);
  });

  test('finger.protocol picks the protocol of the scoring commands; an unknown value falls back to FingER', () => {
    assert.equal(readEvalSettings(fakeConfig({}), { trusted: true }).protocol, 'finger');
    assert.equal(readEvalSettings(fakeConfig({ protocol: { workspaceValue: 'qsave' } }), { trusted: true }).protocol, 'qsave');
    assert.equal(readEvalSettings(fakeConfig({ protocol: { workspaceValue: 'videoscore2' } }), { trusted: true }).protocol, 'videoscore2');
    assert.equal(readEvalSettings(fakeConfig({ protocol: { workspaceValue: 'vbench' } }), { trusted: true }).protocol, 'finger');
    const declared = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.configuration.properties['finger.protocol'];
    assert.equal(readEvalSettings(fakeConfig({ protocol: { workspaceValue: 'signals' } }), { trusted: true }).protocol, 'signals');
    assert.deepEqual(declared.enum, ['finger', 'videoscore2', 'qsave', 'signals']);
  });

  test('untrusted: workspace values of restricted settings are ignored, user values kept', () => {
    const cfg = fakeConfig({
      'endpoint.baseUrl': { globalValue: 'http://user.example/v1', workspaceValue: 'http://evil.example/v1' },
      'endpoint.model': { defaultValue: 'default-model', workspaceValue: 'evil-model' },
      ffmpegPath: { workspaceValue: '/tmp/evil-ffmpeg' },
      'sampling.fps': { workspaceValue: 4 },
    });
    const untrusted = readEvalSettings(cfg, { trusted: false }).eval;
    assert.equal(untrusted.endpoints[0]!.baseUrl, 'http://user.example/v1');
    assert.equal(untrusted.endpoints[0]!.model, 'default-model');
    assert.equal(untrusted.ffmpegPath, undefined);
    assert.equal(untrusted.fps, 4, 'unrestricted settings still come from the workspace');
    const trusted = readEvalSettings(cfg, { trusted: true }).eval;
    assert.equal(trusted.endpoints[0]!.baseUrl, 'http://evil.example/v1');
    assert.equal(trusted.ffmpegPath, '/tmp/evil-ffmpeg');
  });

  test('the API key is kept in SecretStorage and blanked out of the log', async () => {
    const api = await fingerApi();
    await api.host.apiKeys.set('sk-test-secret-1234');
    const s = await api.host.settings();
    assert.equal(s.eval.endpoints[0]!.apiKey, 'sk-test-secret-1234');
    assert.equal(api.host.logger.redact('key=sk-test-secret-1234!'), 'key=***!');
    const inspected = vscode.workspace.getConfiguration('finger').inspect('apiKey');
    assert.equal(inspected?.globalValue ?? inspected?.workspaceValue, undefined, 'no key in settings');
    await api.host.apiKeys.clear();
    assert.equal(
      (await api.host.settings()).eval.endpoints[0]!.apiKey,
      process.env.FINGER_API_KEY || process.env.OPENAI_API_KEY || undefined,
    );
  });
});

type Layers = { defaultValue?: unknown; globalValue?: unknown; workspaceValue?: unknown };
function fakeConfig(values: Record<string, Layers>): ConfigurationReader {
  return {
    get: ((key: string) => {
      const v = values[key];
      return v ? (v.workspaceValue ?? v.globalValue ?? v.defaultValue) : undefined;
    }) as ConfigurationReader['get'],
    inspect: ((key: string) => (values[key] ? { key, ...values[key] } : undefined)) as ConfigurationReader['inspect'],
  };
}
