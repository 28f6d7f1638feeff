// The `openai` package, loaded on first use. It is the largest dependency (about 0.9 MB of the CLI
// bundle) and a rescore whose answers are all cached never sends a request, so it should not pay
// for compiling it: the pool creates its clients, and endpoint-errors.ts reads the error classes,
// through openaiLib(). The CLI build puts the package in its own file (dist/cli-openai.js, see
// esbuild.config.mjs); elsewhere (tests, the extension's features.js) this is a plain require.
export type OpenAILib = typeof import('openai');

let lib: OpenAILib | undefined;

export function openaiLib(): OpenAILib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load on purpose (see above)
  return (lib ??= require('openai') as OpenAILib);
}
