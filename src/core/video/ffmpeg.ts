// Finding ffmpeg and ffprobe: the `finger.ffmpegPath` / `finger.ffprobePath` settings (CLI:
// `--ffmpeg` / `--ffprobe`) first, ffprobe next to a configured ffmpeg, then PATH. Each binary is
// checked once with `-version` so a wrong setting fails early with a message naming it.
import { access, constants as fsConstants, stat } from 'node:fs/promises';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { FFMPEG_INSTALL_HINT, runProcess } from './spawn';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

const isWindows = process.platform === 'win32';

/** Successful `-version` checks, by resolved path. Failures are not remembered: the user may fix them. */
const verified = new Map<string, Promise<string>>();

export async function resolveFfmpeg(opts: { ffmpegPath?: string; ffprobePath?: string } = {}): Promise<FfmpegPaths> {
  const { ffmpeg, ffprobe, verified } = await locateFfmpeg(opts);
  await verified;
  return { ffmpeg, ffprobe };
}

/**
 * Where ffmpeg and ffprobe are (the settings, then PATH), found without running them, so the first
 * probe can start while `verified` runs both with `-version` (about 0.1–0.2 s of process start-up
 * off the path to the first request). `verified` rejects with the ConfigError that names the
 * binary that does not work; callers must await it before trusting any result of the binaries.
 */
export async function locateFfmpeg(
  opts: { ffmpegPath?: string; ffprobePath?: string } = {},
): Promise<FfmpegPaths & { verified: Promise<void> }> {
  const ffmpegSetting = opts.ffmpegPath?.trim() || undefined;
  const ffprobeSetting = opts.ffprobePath?.trim() || undefined;

  const ffmpeg = await locate('ffmpeg', ffmpegSetting);

  let ffprobe: string;
  if (ffprobeSetting) {
    ffprobe = await locate('ffprobe', ffprobeSetting);
  } else {
    // A configured ffmpeg usually comes with its own ffprobe in the same folder; prefer it over
    // whatever ffprobe PATH has, so both come from the same build.
    const sibling = ffmpegSetting ? join(dirname(ffmpeg), siblingName(ffmpeg)) : undefined;
    ffprobe = sibling && (await isExecutableFile(sibling)) ? sibling : await locate('ffprobe', undefined);
  }

  const verified = Promise.all([verify(ffmpeg, 'ffmpeg'), verify(ffprobe, 'ffprobe')]).then(() => undefined);
  verified.catch(() => undefined); // the caller awaits it; never an unhandled rejection meanwhile
  return { ffmpeg, ffprobe, verified };
}

/** The version line (`ffmpeg version 6.1 ...`) of a binary; memoised per path. */
export function ffmpegVersion(binary: string): Promise<string> {
  return verify(binary, basename(binary));
}

function siblingName(ffmpegFile: string): string {
  // Keep the same suffix (ffmpeg.exe → ffprobe.exe, ffmpeg-7 → ffprobe-7).
  const name = basename(ffmpegFile);
  return name.toLowerCase().startsWith('ffmpeg') ? 'ffprobe' + name.slice('ffmpeg'.length) : isWindows ? 'ffprobe.exe' : 'ffprobe';
}

async function locate(tool: 'ffmpeg' | 'ffprobe', setting: string | undefined): Promise<string> {
  const settingName = tool === 'ffmpeg' ? 'finger.ffmpegPath' : 'finger.ffprobePath';
  if (setting) {
    const expanded = setting.startsWith('~/') || setting === '~' ? join(process.env.HOME ?? '~', setting.slice(1)) : setting;
    // A bare name ("ffmpeg7") is looked up on PATH; anything with a folder is a file path.
    if (!isAbsolute(expanded) && !/[\\/]/.test(expanded)) {
      const found = await searchPath(expanded);
      if (found) return found;
      throw new ConfigError(`${tool} "${setting}" from the ${settingName} setting was not found on PATH.`, {
        hint: `Give the full path to the ${tool} binary. ${FFMPEG_INSTALL_HINT}`,
      });
    }
    const file = resolve(expanded);
    if (!(await isExecutableFile(file))) {
      throw new ConfigError(`The ${settingName} setting points at a file that does not exist or cannot be run.`, {
        file,
        hint: `Fix the setting (it must name the ${tool} binary itself, not its folder). ${FFMPEG_INSTALL_HINT}`,
      });
    }
    return file;
  }
  const found = await searchPath(tool);
  if (found) return found;
  throw new ConfigError(`${tool} was not found on PATH.`, { hint: FFMPEG_INSTALL_HINT });
}

async function searchPath(name: string): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const exts = isWindows ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = resolve(dir, name + ext);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, isWindows ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function verify(binary: string, tool: string): Promise<string> {
  let pending = verified.get(binary);
  if (!pending) {
    pending = (async () => {
      const { stdout, stderr, code } = await runProcess(binary, ['-version'], { maxStdoutBytes: 1 << 20 });
      const firstLine = stdout.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
      if (code !== 0 || !/version/i.test(firstLine)) {
        throw new ConfigError(`${binary} does not work as ${tool} (\`${tool} -version\` exited with ${code}).`, {
          file: binary,
          hint: `${stderr.trim().split(/\r?\n/).pop() ?? ''} ${FFMPEG_INSTALL_HINT}`.trim(),
        });
      }
      return firstLine;
    })();
    verified.set(binary, pending);
    pending.catch(() => verified.delete(binary));
  }
  return pending;
}
