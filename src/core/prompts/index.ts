// Prompts of videos: sidecar files and manifests. See read-prompt.ts for the lookup order.
export {
  readPrompt,
  findVideoForPromptFile,
  isPromptFile,
  isSidecarPromptFile,
  sidecarCandidates,
  manifestFolders,
  findManifestEntry,
  manifestKeyFor,
  SIDECAR_EXTENSIONS,
  MAX_PROMPT_CHARS,
  type PromptSource,
  type VideoPrompt,
} from './read-prompt';
export {
  readPromptManifest,
  parsePromptManifest,
  isPromptManifest,
  normaliseManifestKey,
  MANIFEST_NAMES,
  VIDEO_FIELDS,
  PROMPT_FIELDS,
  MODEL_FIELDS,
  PROMPT_ID_FIELDS,
  type ManifestEntry,
  type ManifestName,
} from './manifest';
export { readTextFile, decodeText } from './text-file';
export { locatePromptManifest, type LocatedManifestEntry } from './manifest-source';
export { manifestEntryLookup, manifestIsReachedFor } from './manifest-videos';
