// Which videos a prompt manifest speaks for: the entry findManifestEntry would pick for a video
// (indexed, so a manifest of 1,000 entries against 1,000 results is not a million comparisons),
// and whether readPrompt would reach the manifest at all for that video (a sidecar, or a manifest
// earlier in the lookup order that lists the video, takes precedence).
import { basename, dirname, join, resolve } from 'node:path';
import { MANIFEST_NAMES, readPromptManifest, type ManifestEntry } from './manifest';
import { findManifestEntry, isFile, isInside, manifestFolders, sidecarCandidates } from './read-prompt';

/**
 * A lookup equivalent to `findManifestEntry(entries, manifest, video, root)` for many videos:
 * an exact path beats a bare file name; the first entry wins among equals; keys that resolve
 * outside the workspace are ignored for videos inside it.
 */
export function manifestEntryLookup<E extends ManifestEntry>(
  entries: readonly E[],
  manifest: string,
  root: string,
): (video: string) => E | undefined {
  const folder = dirname(manifest);
  const exact = new Map<string, { entry: E; insideRoot: boolean }>();
  const byName = new Map<string, { entry: E; insideRoot: boolean }>();
  for (const entry of entries) {
    if (entry.normalisedKey === '') continue;
    const target = resolve(folder, entry.normalisedKey);
    const insideRoot = isInside(target, root);
    if (!exact.has(target)) exact.set(target, { entry, insideRoot });
    if (!entry.normalisedKey.includes('/') && !byName.has(entry.normalisedKey)) byName.set(entry.normalisedKey, { entry, insideRoot });
  }
  return (videoPath) => {
    const video = resolve(videoPath);
    const videoInRoot = isInside(video, root);
    const usable = (x: { insideRoot: boolean } | undefined) => x !== undefined && (x.insideRoot || !videoInRoot);
    const hit = exact.get(video);
    if (usable(hit)) return hit!.entry;
    const named = byName.get(basename(video));
    if (usable(named) && isInside(video, folder)) return named!.entry;
    return undefined;
  };
}

/**
 * Whether readPrompt(video, root) takes the video's prompt from `manifest` once the manifest lists
 * it: no sidecar prompt file exists, and no manifest before it in the lookup order (a nearer
 * folder, or an earlier name in the same folder) lists the video. `manifest` itself is not read
 * (its text may be an unsaved edit); a manifest before it that cannot be read makes readPrompt
 * fail, so the answer is then false too.
 */
export async function manifestIsReachedFor(manifest: string, video: string, root: string): Promise<boolean> {
  const target = resolve(manifest);
  const v = resolve(video);
  for (const sidecar of sidecarCandidates(v)) if (await isFile(sidecar)) return false;
  for (const folder of manifestFolders(dirname(v), resolve(root))) {
    for (const name of MANIFEST_NAMES) {
      const other = join(folder, name);
      if (other === target) return true;
      if (!(await isFile(other))) continue;
      try {
        if (findManifestEntry(await readPromptManifest(other), other, v, resolve(root))) return false;
      } catch {
        return false;
      }
    }
  }
  return false;
}
