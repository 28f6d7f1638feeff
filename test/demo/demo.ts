// The demo's long-running part (started by run-demo.sh after the build): sample workspace, optional
// endpoint double, code-server with the packaged .vsix on 127.0.0.1, clean-up on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, startCodeServer } from '../harness/codeServer';
import { defaultVsix } from '../harness/vsix';
import { makeSampleWorkspace } from '../harness/workspace';

interface Double {
  url: string;
  model: string;
  child: ChildProcess;
}

/** test/double/serve.ts on a port the OS picks; resolves with its base URL and first model. */
async function startDouble(): Promise<Double> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'double', 'serve.ts'), '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const url = await new Promise<string>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => ok(l.trim()));
    child.once('exit', (code) => fail(new Error(`the endpoint double exited with ${code}`)));
  });
  const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
  const model = models.data[0]?.id;
  if (!model) throw new Error(`the endpoint double at ${url} lists no model`);
  process.once('exit', () => killGroup(child)); // even when the demo dies on an error
  return { url, model, child };
}

function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

async function main(): Promise<void> {
  const port = Number(process.env.FINGER_DEMO_PORT ?? 8080);
  const dir = join(repoRoot, '.cache', 'demo-workspace');
  rmSync(dir, { recursive: true, force: true });

  let double: Double | undefined;
  const settings: Record<string, unknown> = {};
  let endpointNote: string;
  if (process.env.FINGER_DEMO_DOUBLE === '1') {
    double = await startDouble();
    settings['finger.endpoint.baseUrl'] = double.url;
    settings['finger.endpoint.model'] = double.model;
    endpointNote = `TEST DOUBLE at ${double.url} (model "${double.model}"): deterministic stand-in answers, NOT a real model`;
  } else if (process.env.FINGER_ENDPOINT) {
    settings['finger.endpoint.baseUrl'] = process.env.FINGER_ENDPOINT;
    if (process.env.FINGER_MODEL) settings['finger.endpoint.model'] = process.env.FINGER_MODEL;
    endpointNote = `${process.env.FINGER_ENDPOINT} (model "${process.env.FINGER_MODEL ?? '(not set)'}")`;
  } else {
    endpointNote = 'not configured (set FINGER_ENDPOINT and FINGER_MODEL, or FINGER_DEMO_DOUBLE=1; the extension shows how)';
  }

  const workspace = await makeSampleWorkspace({
    dir,
    settings: Object.keys(settings).length > 0 ? settings : undefined,
  });
  const server = await startCodeServer({ workspace, vsix: defaultVsix, port, name: 'demo', theme: 'dark' }).catch((e: unknown) => {
    if (double) killGroup(double.child);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n(is port ${port} taken? try FINGER_DEMO_PORT=...)`);
  });

  const stop = async (): Promise<void> => {
    process.stdout.write('\n[demo] stopping\n');
    await server.stop();
    if (double) killGroup(double.child);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  process.stdout.write(
    [
      '',
      '  FingER demo is running.',
      `  Open:       ${server.origin}/?folder=${encodeURI(workspace)}`,
      `  Workspace:  ${workspace}`,
      `  Endpoint:   ${endpointNote}`,
      '  Try:        right-click testsrc.mp4 → Score Video',
      '  Stop:       Ctrl-C',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`[demo] ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
