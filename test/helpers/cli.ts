// Runs the real, bundled `finger` CLI (dist/cli.js) as a child process, the way a user does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

let built: Promise<void> | undefined;
/** Bundles the CLI once per test process, so the tests run what ships. */
export function buildCli(): Promise<void> {
  built ??= promisify(execFile)(process.execPath, ['esbuild.config.mjs', '--only=cli', '--quiet'], { cwd: REPO_ROOT }).then(
    () => undefined,
  );
  return built;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment with nothing of the developer's endpoint settings leaking in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    'FINGER_ENDPOINT',
    'FINGER_MODEL',
    'FINGER_API_KEY',
    'OPENAI_API_KEY',
    'FINGER_QUESTION_ENDPOINT',
    'FINGER_QUESTION_MODEL',
  ])
    delete env[k];
  return { ...env, ...extra };
}

export function startCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export async function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  await buildCli();
  return startCli(args, opts).done;
}
