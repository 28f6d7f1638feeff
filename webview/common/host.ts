// The webview end of a protocol (src/shared/protocols/): posts typed commands to the extension,
// validates everything that arrives with the protocol's zod schema, and hands the messages to the
// webview's handler. Nothing else in a webview touches acquireVsCodeApi or raw message events.
import { makeMessage, parseMessage, type Envelope, type ParamsOf, type WebviewProtocol } from '../../src/shared/protocols/envelope';

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): State;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export class WebviewHost<ToWebview extends Envelope, ToHost extends Envelope, State> {
  // acquireVsCodeApi may be called only once per webview load.
  private readonly api = acquireVsCodeApi<State>();

  constructor(
    private readonly protocol: WebviewProtocol<ToWebview, ToHost>,
    onMessage: (message: ToWebview) => void,
  ) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const parsed = parseMessage(protocol.toWebview, event.data);
      if (!parsed.ok) {
        // VS Code and other frames post messages of their own; only log ones that look like ours.
        if (typeof event.data === 'object' && event.data !== null && 'kind' in event.data)
          console.warn('FingER: ignored malformed message', parsed.error);
        return;
      }
      onMessage(parsed.message);
    });
  }

  post<K extends ToHost['method']>(method: K, params: ParamsOf<ToHost, K>): void {
    this.api.postMessage(makeMessage<ToHost, K>('command', method, params));
  }

  /** Tells the extension the script runs and can receive (it sends what it queued). */
  ready(): void {
    this.api.postMessage(makeMessage<ToHost, ToHost['method']>('command', this.protocol.ready, {} as ParamsOf<ToHost, ToHost['method']>));
  }

  getState(): State | undefined {
    return this.api.getState();
  }

  setState(state: State): void {
    this.api.setState(state);
  }
}
