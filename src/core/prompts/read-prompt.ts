// Where a video's prompt comes from (docs/ARCHITECTURE.md, "Files in the workspace"):
//   1. a sidecar with the same base name: clip.mp4 → clip.txt, clip.prompt, clip.md;
//   2. a manifest (prompts.json, prompts.jsonl, prompts.csv) in the video's folder, then in each
//      ancestor folder up to and including the workspace root, never above it.
// The nearest source wins; the first of the names above wins within a folder.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { FingerError } from '../errors';
import { isInsideRelative } from '../store/paths';
import { isVideoPath, VIDEO_EXTENSIONS } from '../types';
import { isPromptManifest, MANIFEST_NAMES, normaliseManifestKey, readPromptManifest, type ManifestEntry } from './manifest';
import { readTextFile } from './text-file';

/** Sidecar extensions, in the order they are looked for. */
export const SIDECAR_EXTENSIONS = ['.txt', '.prompt', '.md'] as const;

/** Longer prompts are almost certainly the wrong file, and would not fit the question model anyway. */
export const MAX_PROMPT_CHARS = 20_000;
const MAX_SIDECAR_BYTES = 1024 * 1024;

export interface PromptSource {
  kind: 'sidecar' | 'manifest';
  file: string;
  /** The manifest key that matched (manifests only). */
  key?: string;
  /** 1-based line of the manifest entry (manifests only). */
  line?: number;
  /** The entry's `model` and `prompt_id` (manifests that have them). */
  model?: string;
  promptId?: string;
}

export interface VideoPrompt {
  prompt: string;
  source: PromptSource;
}

export async function readPrompt(videoPath: string, workspaceRoot: string): Promise<VideoPrompt> {
  const video = resolve(videoPath);
  const root = resolve(workspaceRoot);
  const lookedIn: string[] = [];

  for (const sidecar of sidecarCandidates(video)) {
    lookedIn.push(sidecar);
    if (!(await isFile(sidecar))) continue;
    const text = await readTextFile(sidecar, { maxBytes: MAX_SIDECAR_BYTES, what: 'The prompt file' });
    return { prompt: checkedPrompt(text, sidecar), source: { kind: 'sidecar', file: sidecar } };
  }

  for (const folder of manifestFolders(dirname(video), root)) {
    for (const name of MANIFEST_NAMES) {
      const manifest = join(folder, name);
      lookedIn.push(manifest);
      if (!(await isFile(manifest))) continue;
      const match = findManifestEntry(await readPromptManifest(manifest), manifest, video, root);
      if (!match) continue;
      return {
        prompt: checkedPrompt(match.prompt, manifest, match.line),
        source: {
          kind: 'manifest',
          file: manifest,
          key: match.key,
          line: match.line,
          ...(match.model !== undefined ? { model: match.model } : {}),
          ...(match.promptId !== undefined ? { promptId: match.promptId } : {}),
        },
      };
    }
  }

  const stem = basename(video, extname(video));
  throw new FingerError(`No prompt found for ${basename(video)}. Looked in: ${lookedIn.join(', ')}.`, {
    file: video,
    hint: `Create ${stem}.txt next to the video with the prompt in it, or add "${basename(video)}" to a prompts.json, prompts.jsonl or prompts.csv in its folder or a parent folder.`,
  });
}

export function sidecarCandidates(video: string): string[] {
  const stem = join(dirname(video), basename(video, extname(video)));
  return SIDECAR_EXTENSIONS.map((ext) => stem + ext);
}

/** The video's folder, then each ancestor up to and including the root. A video outside the
 *  root gets only its own folder: the search never climbs out of the workspace. */
export function manifestFolders(videoFolder: string, root: string): string[] {
  if (!isInside(videoFolder, root)) return [videoFolder];
  const folders: string[] = [];
  for (let dir = videoFolder; ; dir = dirname(dir)) {
    folders.push(dir);
    if (dir === root || dirname(dir) === dir) break;
  }
  return folders;
}

/**
 * The entry for `video` in a manifest. A key that is a relative path (or an absolute one) must
 * resolve to the video itself; a bare file name matches a video of that name in the manifest's
 * folder or below. Exact paths beat bare names. Keys that resolve outside the workspace are ignored.
 */
export function findManifestEntry(
  entries: readonly ManifestEntry[],
  manifest: string,
  video: string,
  root: string,
): ManifestEntry | undefined {
  const folder = dirname(manifest);
  let byName: ManifestEntry | undefined;
  for (const e of entries) {
    if (e.normalisedKey === '') continue;
    const target = resolve(folder, e.normalisedKey);
    if (!isInside(target, root) && isInside(video, root)) continue;
    if (target === video) return e;
    if (!e.normalisedKey.includes('/') && e.normalisedKey === basename(video) && isInside(video, folder)) byName ??= e;
  }
  return byName;
}

function checkedPrompt(text: string, file: string, line?: number): string {
  const prompt = text.trim();
  const at = line ? { line } : {};
  const where = line ? `line ${line}: ` : '';
  if (prompt === '') {
    throw new FingerError(`${where}the prompt is empty.`, { file, ...at, hint: 'Write the text-to-video prompt that produced the video.' });
  }
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw new FingerError(`${where}the prompt is ${prompt.length} characters long; the limit is ${MAX_PROMPT_CHARS}.`, {
      file,
      ...at,
      hint: 'Shorten the prompt, or check that this is the prompt file you meant.',
    });
  }
  return prompt;
}

/** A sidecar prompt file (by extension) or a prompt manifest (by name). */
export function isPromptFile(path: string): boolean {
  return isSidecarPromptFile(path) || isPromptManifest(path);
}

export function isSidecarPromptFile(path: string): boolean {
  return (SIDECAR_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase()) && !isPromptManifest(path);
}

/** The video a sidecar prompt file belongs to: same folder, same base name, a video extension
 *  (in the order of VIDEO_EXTENSIONS). Undefined for manifests and for files without a video. */
export async function findVideoForPromptFile(promptFile: string): Promise<string | undefined> {
  if (!isSidecarPromptFile(promptFile)) return undefined;
  const folder = dirname(resolve(promptFile));
  const stem = basename(promptFile, extname(promptFile));
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return undefined;
  }
  const candidates = names.filter((n) => isVideoPath(n) && basename(n, extname(n)) === stem);
  const rank = (n: string) => (VIDEO_EXTENSIONS as readonly string[]).indexOf(extname(n).slice(1).toLowerCase());
  candidates.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of candidates) {
    const candidate = join(folder, name);
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}

/** Whether `path` is `root` or inside it. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || isInsideRelative(rel);
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Normalised key of `video` relative to a manifest folder (forward slashes), for display. */
export function manifestKeyFor(video: string, manifestFolder: string): string {
  return normaliseManifestKey(relative(manifestFolder, video));
}
