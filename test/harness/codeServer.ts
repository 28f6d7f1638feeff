// Starts a real VS Code (code-server from npm, see docs/ARCHITECTURE.md, "Running a real VS Code and a real browser offline") on loopback for one test
// run, with a fresh profile, and stops it again with its whole process group.
//
// It installs nothing: test/tools/ensure-tools.sh (FINGER_NEED_CODE_SERVER=1) does, and exports
// FINGER_CODE_SERVER; without it the cached install under .cache/code-server is used.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
export const outputDir = join(repoRoot, 'test-output');

export interface CodeServerOptions {
  /** Folder opened in the workbench (absolute or relative to the current directory). */
  workspace: string;
  /** Load this folder as an extension under development (runs the smoke-test driver payload). */
  extensionDevelopmentPath?: string;
  /** With extensionDevelopmentPath: the compiled mocha entry (exports `run`) to run in the extension host. */
  extensionTestsPath?: string;
  /** Install this .vsix into the fresh extensions folder before starting. */
  vsix?: string;
  /** true: keep workspace trust on and leave the workspace untrusted (restricted mode). */
  trust?: boolean;
  /** Extra user settings, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  theme?: 'light' | 'dark';
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Fixed port (the demo); default: a free one. */
  port?: number;
  /** Name used for the log file under test-output/logs/. */
  name?: string;
  /** Keep the temporary profile after stop (debugging). */
  keepProfile?: boolean;
}

export interface CodeServer {
  /** Workbench address with the folder (and, for extension tests, the payload) in the query. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own stdout/stderr. */
  logFile: string;
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export function codeServerBinary(): string {
  const fromEnv = process.env.FINGER_CODE_SERVER;
  const bin = fromEnv || join(repoRoot, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}. Run: FINGER_NEED_CODE_SERVER=1 source test/tools/ensure-tools.sh`);
  }
  return bin;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

/** Environment for code-server: fresh HOME/XDG dirs, Node 24 first on PATH, no way out to a gallery. */
function childEnv(home: string, galleryPort: number, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const gallery = `http://127.0.0.1:${galleryPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    // code-server's shebang is `#!/usr/bin/env node`; it needs Node 24 (the one running us).
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: `${gallery}/gallery`,
      itemUrl: `${gallery}/item`,
      resourceUrlTemplate: `${gallery}/resource/{publisher}/{name}/{version}/{path}`,
      controlUrl: '',
      nlsBaseUrl: '',
    }),
    VSCODE_PROXY_URI: '',
    ...extra,
  };
  // A parent code-server / VS Code terminal leaks these; they confuse the child.
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_IPC') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  return env;
}

const live = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}
// Last resort if the test process dies without calling stop(): take the servers with us.
process.once('exit', () => {
  for (const c of live) killGroup(c, 'SIGKILL');
});

async function waitForHealth(origin: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`code-server exited with ${exited} before it was ready; see ${logFile}`);
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs} ms; see ${logFile}`);
}

/** The workbench address; with a development path it carries the smoke-test-driver payload. */
export function workbenchUrl(
  origin: string,
  port: number,
  folder: string,
  dev?: { extensionDevelopmentPath: string; extensionTestsPath?: string },
): string {
  const q = new URLSearchParams({ folder });
  if (dev) {
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${resolve(p)}`;
    const payload: [string, string][] = [['extensionDevelopmentPath', remote(dev.extensionDevelopmentPath)]];
    if (dev.extensionTestsPath) payload.push(['extensionTestsPath', remote(dev.extensionTestsPath)]);
    q.set('payload', JSON.stringify(payload));
  }
  return `${origin}/?${q.toString()}`;
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const bin = codeServerBinary();
  const workspace = resolve(opts.workspace);
  const profile = mkdtempSync(join(tmpdir(), 'finger-cs-'));
  const home = join(profile, 'home');
  const userDataDir = join(profile, 'user-data');
  const extensionsDir = join(profile, 'extensions');
  for (const d of [home, join(userDataDir, 'User'), extensionsDir]) mkdirSync(d, { recursive: true });

  const trustTesting = opts.trust === true;
  const settings: Record<string, unknown> = {
    ...DEFAULT_SETTINGS,
    'workbench.colorTheme': opts.theme === 'light' ? 'Default Light Modern' : 'Default Dark Modern',
    ...(trustTesting
      ? {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
          'security.workspace.trust.emptyWindow': false,
        }
      : { 'security.workspace.trust.enabled': false }),
    ...opts.settings,
  };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const galleryPort = await freePort(); // nobody listens there: gallery requests fail fast, locally
  const env = childEnv(home, galleryPort, opts.env);
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const logsDir = join(outputDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `code-server-${opts.name ?? 'run'}-${Date.now()}.log`);

  if (opts.vsix) {
    const r = spawnSync(bin, ['--install-extension', resolve(opts.vsix), ...common], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    writeFileSync(`${logFile}.install`, `${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.status !== 0) {
      rmSync(profile, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${opts.vsix} failed (${r.status ?? r.error?.message}):\n${r.stdout}${r.stderr}`);
    }
  }

  const port = opts.port ?? (await freePort());
  const args = [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(trustTesting ? [] : ['--disable-workspace-trust']),
    ...(opts.extensionDevelopmentPath ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...common,
    workspace,
  ];
  const log = createWriteStream(logFile);
  log.write(`$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    }
    killGroup(child, 'SIGKILL'); // stragglers in the group (extension host, pty host)
    live.delete(child);
    log.end();
    if (!opts.keepProfile) rmSync(profile, { recursive: true, force: true });
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(origin, child, logFile, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const dev = opts.extensionDevelopmentPath
    ? { extensionDevelopmentPath: opts.extensionDevelopmentPath, extensionTestsPath: opts.extensionTestsPath }
    : undefined;
  return { url: workbenchUrl(origin, port, workspace, dev), origin, port, userDataDir, extensionsDir, logFile, stop };
}
