// The webview end of the shared protocol: posts typed commands and requests to the extension,
// validates everything that arrives (zod, via parseExtensionMessage) and routes notifications and
// responses. Nothing else in the webview touches acquireVsCodeApi or raw message events.
import {
  makeCommand,
  makeRequest,
  parseExtensionMessage,
  type CommandMethod,
  type CommandParams,
  type ExtensionNotification,
  type RequestMethod,
  type RequestParams,
  type ResponseResult,
} from '../../src/shared/protocol';

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): State;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WebviewHost<State> {
  // acquireVsCodeApi may be called only once per webview load.
  private readonly api = acquireVsCodeApi<State>();
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(onNotification: (message: ExtensionNotification) => void) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const parsed = parseExtensionMessage(event.data);
      if (!parsed.ok) {
        // VS Code and other frames post messages of their own; only log ones that look like ours.
        if (isObject(event.data) && 'kind' in event.data) console.warn('FingER: ignored malformed message', parsed.error);
        return;
      }
      const message = parsed.message;
      if (message.kind === 'response') {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.error !== undefined) pending.reject(new Error(message.error));
        else pending.resolve(message.result);
        return;
      }
      onNotification(message);
    });
  }

  command<M extends CommandMethod>(method: M, params: CommandParams<M>): void {
    this.api.postMessage(makeCommand(method, params));
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<ResponseResult<M>> {
    const id = this.nextRequestId++;
    return new Promise<ResponseResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.api.postMessage(makeRequest(id, method, params));
    });
  }

  getState(): State | undefined {
    return this.api.getState();
  }

  setState(state: State): void {
    this.api.setState(state);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
