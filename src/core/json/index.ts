// JSON text and zod errors, for every module that reads JSON (manifests, question sets, template
// data, model replies): strict parsing with line and column, tolerant recovery from prose, and zod
// issues as one line a person can act on. Below every feature folder; imports nothing of ours but
// errors.ts.
export * from './parse';
export * from './zod-format';
