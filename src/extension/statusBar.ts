// Status bar item: does the configured endpoint answer, and does it serve the configured model?
// Checked with `GET <baseUrl>/models` (what vLLM, SGLang and OpenAI all serve). Uses fetch rather
// than the openai client so that activation does not load that package.
import * as vscode from 'vscode';
import type { Host } from './host';

type EndpointState =
  | { kind: 'checking' }
  | { kind: 'ok'; models: string[] }
  | { kind: 'model-missing'; models: string[] }
  | { kind: 'unreachable'; message: string; configured: boolean }
  | { kind: 'untrusted' };

export class EndpointStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private state: EndpointState = { kind: 'checking' };

  constructor(private readonly host: Host) {
    this.item = vscode.window.createStatusBarItem('finger.endpoint', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'FingER Endpoint';
    this.item.command = {
      title: 'Configure FingER endpoint',
      command: 'workbench.action.openSettings',
      arguments: ['finger.endpoint'],
    };
    this.item.show();
  }

  get current(): EndpointState {
    return this.state;
  }

  /** Re-checks soon; several triggers in a row (settings typed key by key) make one request. */
  refresh(delayMs = 300): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), delayMs);
  }

  private async check(): Promise<void> {
    const generation = ++this.generation;
    const { eval: settings } = this.host.settingsForDisplay();
    const endpoint = settings.endpoints[0]!;
    if (!this.host.trusted) {
      // No request at all: the endpoint may come from settings we must not act on yet.
      this.render({ kind: 'untrusted' }, endpoint);
      return;
    }
    this.render({ kind: 'checking' }, endpoint);
    const apiKey = await this.host.apiKeys.get();
    const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/models`;
    const started = Date.now();
    let next: EndpointState;
    try {
      const res = await fetch(url, {
        headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      const body = (await res.json()) as { data?: { id?: unknown }[] };
      const models = (body.data ?? []).map((m) => String(m.id));
      next = models.includes(endpoint.model) ? { kind: 'ok', models } : { kind: 'model-missing', models };
      this.host.logger.info(`GET ${url} → ${models.length} model(s) in ${Date.now() - started} ms`);
    } catch (e) {
      const message = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
      next = { kind: 'unreachable', message, configured: endpointConfigured() };
      this.host.logger.warn(`GET ${url} failed after ${Date.now() - started} ms: ${message}`);
    }
    if (generation === this.generation) this.render(next, endpoint);
  }

  private render(state: EndpointState, endpoint: { baseUrl: string; model: string }): void {
    this.state = state;
    const model = endpoint.model || '(no model)';
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.appendMarkdown(`**FingER endpoint**\n\n`);
    tip.appendText(`${endpoint.baseUrl}\nmodel: ${model}\n\n`);
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'checking':
        this.item.text = `$(sync~spin) FingER`;
        tip.appendText('Checking GET /models …');
        break;
      case 'ok':
        this.item.text = `$(check) FingER: ${shortModel(model)}`;
        tip.appendText('The endpoint answers and serves this model.');
        break;
      case 'model-missing':
        this.item.text = `$(warning) FingER: ${shortModel(model)}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        tip.appendText(`The endpoint answers but does not list this model. It serves: ${state.models.join(', ') || 'nothing'}.`);
        break;
      case 'unreachable':
        if (!state.configured) {
          // A new user who has not set an endpoint: say how to get one, not that "it" is down.
          this.item.text = `$(plug) FingER: set up endpoint`;
          tip.appendText(
            'No endpoint is configured and nothing answers at the default address. Serve a video MLLM, e.g.\n' +
              'vllm serve Qwen/Qwen2.5-VL-7B-Instruct --max-logprobs 20 --limit-mm-per-prompt \'{"video":1,"image":32}\'\n' +
              'then set finger.endpoint.baseUrl and finger.endpoint.model (and FingER: Set API Key if it needs one).',
          );
          break;
        }
        this.item.text = `$(error) FingER: endpoint down`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        tip.appendText(`GET /models failed: ${state.message}`);
        break;
      case 'untrusted':
        this.item.text = `$(shield) FingER: restricted`;
        tip.appendText('Untrusted workspace: no requests are sent and videos are not scored.');
        break;
    }
    tip.appendMarkdown('\n\n_Click to configure._');
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `FingER endpoint: ${this.item.text.replace(/\$\([^)]*\)\s*/g, '')}` };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }
}

/** Whether the user set an endpoint anywhere (else the default localhost address is being tried). */
function endpointConfigured(): boolean {
  const i = vscode.workspace.getConfiguration('finger').inspect<string>('endpoint.baseUrl');
  return [i?.globalValue, i?.workspaceValue, i?.workspaceFolderValue].some((v) => v !== undefined);
}

function shortModel(model: string): string {
  const last = model.split('/').pop() ?? model;
  return last.length > 28 ? `${last.slice(0, 27)}…` : last;
}
