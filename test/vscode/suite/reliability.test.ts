// Reliability and security of the extension's own surfaces, inside the real extension host (the
// engine is shared with the CLI and covered by test/reliability): broken result files in the index
// and the results panel, untrusted workspaces (requests counted at the endpoint double), webview
// messages that name paths outside the workspace, and the API key in the output channel, error
// messages, workspace files and the .vsix.
//
// [reliability:extension] [security:extension]
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_DOUBLE_MODEL, startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import type { ResultsPanel } from '../../../src/extension/panels/resultsPanel';
import { toTarget } from '../../../src/extension/locate';
import { EXTENSION_ID, fingerApi, waitFor } from './api';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const config = () => vscode.workspace.getConfiguration('finger');
const WS = vscode.ConfigurationTarget.Workspace;

/** Messages the panel posts to its webview, and a way to post to the panel as its webview would. */
function tap(rp: ResultsPanel): {
  posted: { method?: string; params?: { message?: string; file?: string } }[];
  fromWebview(m: unknown): Promise<void>;
} {
  const posted: { method?: string; params?: { message?: string; file?: string } }[] = [];
  const webview = rp.panel.webview;
  const original = webview.postMessage.bind(webview);
  (webview as { postMessage: (m: unknown) => Thenable<boolean> }).postMessage = (m: unknown) => {
    posted.push(m as (typeof posted)[number]);
    return original(m);
  };
  return { posted, fromWebview: (m) => (rp.controller as unknown as { receive(d: unknown): Promise<void> }).receive(m) };
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

suite('Reliability: broken result files in the extension', () => {
  const broken = () => path.join(root(), '.finger', 'results', 'broken-clip.mp4.json');
  const good = () => path.join(root(), '.finger', 'results', 'good-clip.mp4.json');

  suiteTeardown(async () => {
    rmSync(broken(), { force: true });
    rmSync(good(), { force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the index and the results panel name the broken file and what to do; the other results stay listed', async () => {
    const f = await (await fingerApi()).features();
    mkdirSync(path.dirname(broken()), { recursive: true });
    const result = {
      version: 1,
      protocol: 'finger',
      video: { path: 'good-clip.mp4', sha256: 'b'.repeat(64), durationSec: 1, width: 320, height: 240, fps: 24 },
      prompt: 'A red ball',
      endpoint: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' },
      sampling: { mode: 'video', fps: 2, maxFrames: 32, maxPixels: 200704, frames: 2 },
      createdAt: '2026-01-01T00:00:00.000Z',
      questions: [
        {
          id: 'q1',
          dimension: 'visual_quality',
          entity: 'ball',
          text: 'Is the ball red?',
          polarity: 'positive',
          answer: 'Yes',
          reason: 'It is.',
          pYes: 0.9,
          pNo: 0.1,
          score: 0.9,
          probabilitySource: 'logprobs',
          error: null,
        },
      ],
      dimensions: { visual_quality: { score: 0.9, sum: 0.9, count: 1, weight: 1 } },
      overall: 0.9,
    };
    writeFileSync(good(), JSON.stringify(result, null, 2));
    const text = JSON.stringify({ ...result, video: { ...result.video, path: 'broken-clip.mp4' } }, null, 2);
    writeFileSync(broken(), text.slice(0, text.length / 2)); // cut off, as by a crash of another tool
    const video = path.join(root(), 'broken-clip.mp4');
    const entry = await waitFor('the broken entry in the index', () => (f.index.get(video)?.error ? f.index.get(video) : undefined));
    assert.ok(entry.error!.includes(broken()), entry.error);
    assert.match(entry.error!, /not valid JSON/);
    assert.match(entry.error!, /delete it and score the video again|Fix the result/);
    await waitFor('the good entry', () => f.index.get(path.join(root(), 'good-clip.mp4'))?.result);

    const rp = await f.panels.open(toTarget(video));
    const t = tap(rp);
    await t.fromWebview({ kind: 'command', method: 'results/ready', params: {} });
    const error = await waitFor('results/error', () => t.posted.find((m) => m.method === 'results/error'));
    // Workspace-relative, as every path in the protocol (the panel's Open file sends it back).
    assert.equal(error.params?.file, path.relative(root(), broken()).split(path.sep).join('/'));
    assert.match(error.params?.message ?? '', /broken-clip\.mp4\.json/);
    const show = t.posted.find((m) => m.method === 'results/show');
    assert.ok(show, 'the panel still shows (without a result)');
    assert.equal(f.index.get(path.join(root(), 'good-clip.mp4'))?.result?.overall, 0.9);
  });
});

suite('Security: webview messages cannot reach outside the workspace', () => {
  suiteTeardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  test('results/openFile with ../ or absolute paths opens nothing and says why', async () => {
    const f = await (await fingerApi()).features();
    const rp = await f.panels.open(toTarget(path.join(root(), 'mandelbrot.mp4')));
    const t = tap(rp);
    await t.fromWebview({ kind: 'command', method: 'results/ready', params: {} });
    const openTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .map((tab) => (tab.input as { uri?: vscode.Uri })?.uri?.fsPath)
        .filter(Boolean);
    for (const relPath of ['../../../../../etc/passwd', '/etc/passwd', '..', 'clips/../../outside.txt']) {
      const before = t.posted.filter((m) => m.method === 'results/error').length;
      await t.fromWebview({ kind: 'command', method: 'results/openFile', params: { relPath } });
      const errors = t.posted.filter((m) => m.method === 'results/error');
      assert.equal(errors.length, before + 1, `refused ${relPath}`);
      assert.match(errors.at(-1)!.params?.message ?? '', /outside the workspace/);
    }
    assert.ok(
      !openTabs().some((p) => p === '/etc/passwd' || !p!.startsWith(path.dirname(root()))),
      `nothing outside was opened: ${openTabs().join(', ')}`,
    );
    // Malformed or foreign messages are ignored, not acted on.
    await t.fromWebview({ kind: 'command', method: 'results/openFile', params: { relPath: 42 } });
    await t.fromWebview({ kind: 'command', method: 'sidebar/evil', params: { path: '/etc/passwd' } });
  });

  test('an override writes only under .finger/labels of the video, whatever its text says', async () => {
    const f = await (await fingerApi()).features();
    const video = path.join(root(), 'mandelbrot.mp4');
    const rp = await f.panels.open(toTarget(video));
    const t = tap(rp);
    await t.fromWebview({ kind: 'command', method: 'results/ready', params: {} });
    const labelsFile = path.join(root(), '.finger', 'labels', 'mandelbrot.mp4.json');
    // Earlier suites may have left labels of other videos in the shared workspace: compare with them.
    const before = allFiles(path.join(root(), '.finger', 'labels')).filter((f) => f !== labelsFile);
    try {
      await t.fromWebview({
        kind: 'command',
        method: 'results/override',
        params: { questionId: '../../../../tmp/x', questionText: '../../../etc/passwd', answer: 'Yes' },
      });
      await waitFor('labels written', () => existsSync(labelsFile));
      assert.ok(!existsSync('/tmp/x.json') && !existsSync(path.join(path.dirname(root()), 'etc')), 'nothing written outside');
      assert.deepEqual(allFiles(path.join(root(), '.finger', 'labels')).sort(), [...before, labelsFile].sort());
    } finally {
      rmSync(labelsFile, { force: true });
    }
  });
});

suite('Security: untrusted workspace', () => {
  let double: EndpointDouble;
  suiteSetup(async () => {
    // Untrusted from before the workspace names the endpoint (a trusted status bar would check it).
    const api = await fingerApi();
    Object.defineProperty(api.host, 'trusted', { get: () => false, configurable: true });
    double = await startEndpointDouble();
    await config().update('endpoint.baseUrl', double.url, WS);
    await config().update('endpoint.model', DEFAULT_DOUBLE_MODEL, WS);
    // finger.ffmpegPath is machine-scoped: the API refuses to write it to workspace settings, so
    // put it there by hand, as a cloned repository's .vscode/settings.json would.
    const file = path.join(root(), '.vscode', 'settings.json');
    const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(file, JSON.stringify({ ...current, 'finger.ffmpegPath': '/tmp/evil-ffmpeg' }, null, 2));
    await new Promise((r) => setTimeout(r, 1000));
  });
  suiteTeardown(async () => {
    const api = await fingerApi();
    delete (api.host as unknown as { trusted?: boolean }).trusted;
    const file = path.join(root(), '.vscode', 'settings.json');
    if (existsSync(file)) {
      const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      delete current['finger.ffmpegPath'];
      writeFileSync(file, JSON.stringify(current, null, 2));
    }
    for (const k of ['endpoint.baseUrl', 'endpoint.model']) await config().update(k, undefined, WS);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await double.close();
  });

  test('no command, status check or template edit sends anything; workspace endpoint and ffmpeg values are ignored', async () => {
    const api = await fingerApi();
    const f = await api.features();
    assert.equal(api.host.trusted, false);
    const settings = (await api.host.settings()).eval;
    assert.notEqual(settings.endpoints[0]!.baseUrl, double.url, 'workspace endpoint ignored');
    assert.equal(settings.ffmpegPath, undefined, 'workspace ffmpeg path ignored');
    const video = vscode.Uri.file(path.join(root(), 'red-square.mp4'));
    await vscode.commands.executeCommand('finger.scoreVideo', video);
    await vscode.commands.executeCommand('finger.scoreFolder', vscode.Uri.file(root()));
    await vscode.commands.executeCommand('finger.rescore', video);
    const rp = f.panels.get(video.fsPath) ?? (await f.panels.open(toTarget(video.fsPath)));
    await (rp.controller as unknown as { receive(d: unknown): Promise<void> }).receive({
      kind: 'command',
      method: 'results/rescore',
      params: {},
    });
    const { loadTemplates } = await import('../../../src/core/templates');
    // Bundled templates: an earlier suite may leave a deliberately broken one in the workspace.
    assert.equal(await f.templates.regenerate(rp, await loadTemplates({})), undefined);
    api.status.refresh(0);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(double.requests.length, 0, `requests reached the endpoint: ${double.requests.map((r) => r.path).join(', ')}`);
  });
});

suite('Security: the API key', () => {
  const KEY = 'sk-exthost-canary-5e1f0a9b3c7d';
  let double: EndpointDouble;
  const logged: string[] = [];
  suiteSetup(async () => {
    double = await startEndpointDouble({ apiKey: 'another-key-the-server-wants' });
    await config().update('endpoint.baseUrl', double.url, WS);
    await config().update('endpoint.model', DEFAULT_DOUBLE_MODEL, WS);
    await config().update('requestTimeoutSeconds', 5, WS);
    const api = await fingerApi();
    const channel = api.host.logger.channel as unknown as Record<string, (...a: unknown[]) => void>;
    for (const m of ['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']) {
      const original = channel[m]!.bind(channel);
      channel[m] = (...a: unknown[]) => {
        logged.push(
          a.map((x) => (x instanceof Error ? `${x.message}\n${x.stack}` : typeof x === 'string' ? x : JSON.stringify(x))).join(' '),
        );
        original(...a);
      };
    }
  });
  suiteTeardown(async () => {
    const api = await fingerApi();
    await api.host.apiKeys.clear();
    for (const k of ['endpoint.baseUrl', 'endpoint.model', 'requestTimeoutSeconds']) await config().update(k, undefined, WS);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await double.close();
  });

  test('a rejected key (401) is reported without the key: output channel, error messages and workspace files', async () => {
    const api = await fingerApi();
    const f = await api.features();
    await api.host.apiKeys.set(KEY);
    // Earlier suites may have scored this clip: without its cached answers every question is asked.
    rmSync(path.join(root(), '.finger', 'cache', 'answers'), { recursive: true, force: true });
    await vscode.commands.executeCommand('finger.scoreVideo', vscode.Uri.file(path.join(root(), 'red-square.mp4')));
    assert.ok(
      double.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`),
      'the key was sent as the bearer token',
    );
    const errors = f.lastOutcomes
      .map((o) => `${o.error ?? ''} ${JSON.stringify(o.outcome?.result.questions.map((q) => q.error) ?? [])}`)
      .join('\n');
    assert.match(errors + logged.join('\n'), /401|key|unauthori/i, 'the failure was reported');
    assert.ok(logged.length > 0, 'the output channel was written');
    for (const line of logged) assert.ok(!line.includes(KEY), `key in the output channel: ${line}`);
    assert.ok(!errors.includes(KEY), 'key in an error message');
    for (const file of allFiles(path.join(root(), '.finger')))
      assert.ok(!readFileSync(file).toString('latin1').includes(KEY), `key in ${file}`);
    for (const file of allFiles(path.join(root(), '.vscode'))) assert.ok(!readFileSync(file, 'utf8').includes(KEY), `key in ${file}`);
  });

  test('the .vsix holds no key, no .env, no workspace data and no tests', function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const vsix = process.env.FINGER_VSIX ?? path.join(ext.extensionPath, 'finger-video-eval.vsix');
    if (!existsSync(vsix)) return this.skip();
    const list = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const name of list)
      assert.doesNotMatch(name, /(^|\/)(\.env[^/]*|\.finger|test|\.vscode-test|\.cache)(\/|$)/, `${name} is in the .vsix`);
    const content = execFileSync('unzip', ['-p', vsix], { maxBuffer: 256 << 20 }).toString('latin1');
    const secrets = [
      KEY,
      'sk-test-secret-1234',
      'sk-canary-7f3a9c1e5b2d4f6a8c0e',
      process.env.FINGER_API_KEY,
      process.env.OPENAI_API_KEY,
    ].filter((s): s is string => Boolean(s && s.length >= 8));
    for (const s of secrets) assert.ok(!content.includes(s), `a key is in the .vsix`);
    assert.doesNotMatch(content, /Bearer [A-Za-z0-9._-]{16,}/, 'no bearer token baked in');
  });
});
