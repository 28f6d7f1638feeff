// Runs the endpoint double standalone for demos and manual checks:
//   node --import tsx test/double/serve.ts --port 8000 [--model NAME]... [--latency-ms N]
//     [--capacity N] [--per-request-ms N] [--encode-ms N] [--api-key KEY]
//     [--tokenizer qwen2|llama3] [--answer-format asked|finger] [--refuse-prefill]
// Prints the base URL (…/v1) on stdout, then serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startEndpointDouble } from './endpoint-double';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    model: { type: 'string', multiple: true },
    'latency-ms': { type: 'string' },
    capacity: { type: 'string' },
    'per-request-ms': { type: 'string' },
    'encode-ms': { type: 'string' },
    'api-key': { type: 'string' },
    tokenizer: { type: 'string' },
    'answer-format': { type: 'string' },
    'refuse-prefill': { type: 'boolean' },
  },
});
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

async function main(): Promise<void> {
  const double = await startEndpointDouble({
    port: Number(values.port),
    ...(values.model ? { models: values.model } : {}),
    latencyMs: num(values['latency-ms']),
    capacity: num(values.capacity),
    perRequestMs: num(values['per-request-ms']),
    encodeMs: num(values['encode-ms']),
    apiKey: values['api-key'],
    ...(values.tokenizer === 'llama3' || values.tokenizer === 'qwen2' ? { tokenizer: values.tokenizer } : {}),
    ...(values['answer-format'] === 'finger' ? { answerFormat: 'finger' as const } : {}),
    ...(values['refuse-prefill'] ? { refusePrefill: true } : {}),
  });
  process.stdout.write(`${double.url}\n`);

  const stop = async () => {
    await double.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
