// The envelope every message between the extension host and a webview travels in, shaped like the
// ones of microsoft/vscode-hexeditor and GitLens:
//
//   notification  extension → webview   { kind: 'notification', method, params }
//   command       webview → extension   { kind: 'command', method, params }
//
// Methods are `scope/name` (`results/show`, `sidebar/openResults`). Each webview has a protocol file
// of its own beside this one (results.ts, sidebar.ts) with the zod schemas of what it receives and
// what it posts; whatever arrives over postMessage is parsed with them, because a webview is a
// separate, less trusted context and a stale webview may post an older shape after an update.
// Pure (no DOM, no vscode, no Node APIs), so both sides import it.
import * as z from 'zod';

export interface Envelope {
  kind: 'notification' | 'command';
  method: string;
  params: unknown;
}

export function notification<M extends string, P extends z.ZodType>(method: M, params: P) {
  return z.object({ kind: z.literal('notification'), method: z.literal(method), params });
}

export function command<M extends string, P extends z.ZodType>(method: M, params: P) {
  return z.object({ kind: z.literal('command'), method: z.literal(method), params });
}

/** The `scope/ready` command a webview posts once its script runs and can receive. */
export function readyCommand<S extends string>(scope: S) {
  return command(`${scope}/ready` as const, z.object({}));
}

export type MethodOf<M extends Envelope> = M['method'];
export type ParamsOf<M extends Envelope, K extends M['method']> = Extract<M, { method: K }>['params'];
export type MessageOf<M extends Envelope, K extends M['method']> = Extract<M, { method: K }>;

/** One handler per method of `M`: a handler table the compiler checks for completeness. */
export type Handlers<M extends Envelope> = { [K in M['method']]: (params: ParamsOf<M, K>) => unknown };

/** What one webview receives (`toWebview`) and posts (`toHost`), and the command it posts once
 *  its script runs and can receive (`ready`). */
export interface WebviewProtocol<ToWebview extends Envelope, ToHost extends Envelope, Ready extends ToHost['method'] = ToHost['method']> {
  /** For log messages: "results panel", "side panel". */
  readonly name: string;
  readonly toWebview: z.ZodType<ToWebview>;
  readonly toHost: z.ZodType<ToHost>;
  readonly ready: Ready;
}

/** A webview's protocol, its message types read from the schemas. */
export function webviewProtocol<ToWebview extends Envelope, ToHost extends Envelope, Ready extends ToHost['method']>(
  name: string,
  toWebview: z.ZodType<ToWebview>,
  toHost: z.ZodType<ToHost>,
  ready: Ready,
): WebviewProtocol<ToWebview, ToHost, Ready> {
  return { name, toWebview, toHost, ready };
}

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

/** Validates a received message against the receiving side's schema. */
export function parseMessage<T>(schema: z.ZodType<T>, data: unknown): Parsed<T> {
  const parsed = schema.safeParse(data);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: z.prettifyError(parsed.error) };
}

/** A typed message, so a call site cannot pair a method with another method's params. */
export function makeMessage<M extends Envelope, K extends M['method']>(
  kind: MessageOf<M, K>['kind'],
  method: K,
  params: ParamsOf<M, K>,
): MessageOf<M, K> {
  return { kind, method, params } as MessageOf<M, K>;
}

/** Type guard: `message` is the `method` message of its union. */
export function isMethod<M extends Envelope, K extends M['method']>(message: M, method: K): message is MessageOf<M, K> {
  return message.method === method;
}
