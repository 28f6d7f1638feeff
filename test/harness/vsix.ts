// The packaged extension: `npm run package` writes finger-video-eval.vsix at the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer';

export const defaultVsix = join(repoRoot, 'finger-video-eval.vsix');

/**
 * The .vsix the tests install: FINGER_VSIX when set (test/run-all.sh packages once and sets it),
 * else a fresh `npm run package`, so what ships is what is tested.
 */
export function ensureVsix(): string {
  const given = process.env.FINGER_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`FINGER_VSIX=${given} does not exist`);
    return given;
  }
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0 || !existsSync(defaultVsix)) {
    throw new Error(`npm run package failed (${r.status ?? r.error?.message}):\n${r.stdout}${r.stderr}`);
  }
  process.env.FINGER_VSIX = defaultVsix;
  return defaultVsix;
}

export interface VsixEntry {
  name: string;
  size: number;
}

/** The files inside a .vsix (a zip), from `unzip -Z1`-style listing with sizes. */
export function listVsix(vsix: string): VsixEntry[] {
  const r = spawnSync('unzip', ['-l', vsix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unzip -l ${vsix} failed: ${r.stderr || r.error?.message}`);
  // "  Length      Date    Time    Name" ... "   1234  2026-01-01 00:00   extension/package.json"
  return r.stdout
    .split('\n')
    .map((l) => /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[2]!.trim(), size: Number(m[1]) }));
}

export const vsixBytes = (vsix: string): number => statSync(vsix).size;
