// Entry of dist/cli-openai.js: the `openai` package on its own, so that `finger` compiles it only
// when it sends a request (src/core/endpoint/openai-lib.ts loads it; esbuild.config.mjs splits it).
export * from 'openai';
