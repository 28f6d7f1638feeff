/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are arbitrary client JSON, read field by field like a server would */
// Several endpoint doubles as one vLLM fleet (data-parallel replicas, each with its own caches),
// and the accounting the serving tests and benchmarks read from it: which video each request
// carries, how often each replica encoded each video, the multimodal kwargs it received, what
// vLLM's frame-list loader and Qwen2.5-VL's processor would make of them, and how the service
// time splits between answering and prefill requests.
//
// What a replica counts as one encoding is what vLLM caches under one key: the media item as
// loaded (its bytes plus the loader options, `media_io_kwargs`) hashed together with the
// processor options (`mm_processor_kwargs`) (vllm/multimodal/hasher.py, MultiModalHasher; the
// processor's cache key in vllm/multimodal/processing.py). Two requests with the same frames but
// different timing kwargs are two encodings, as on a real server.
import { createHash } from 'node:crypto';
import { startEndpointDouble, type EndpointDouble, type EndpointDoubleOptions, type RecordedRequest } from './endpoint-double';

/** vLLM's VideoMediaIO defaults (vllm/multimodal/media/video.py): num_frames 32, and for a
 *  `video/jpeg` frame list fps 1 when the request does not say. */
export const VLLM_VIDEO_NUM_FRAMES = 32;
export const VLLM_FRAME_LIST_FPS = 1;
/** transformers' Qwen2_5_VLProcessor: fps 2.0 when mm_processor_kwargs has none; temporal patch 2. */
export const QWEN25VL_DEFAULT_FPS = 2;
export const QWEN25VL_TEMPORAL_PATCH = 2;

/** JSON with sorted keys: vLLM hashes kwargs by name, not by the order they were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The media URLs of a chat body, in order. */
export function mediaUrls(body: any): string[] {
  const urls: string[] = [];
  for (const m of Array.isArray(body?.messages) ? body.messages : []) {
    if (!Array.isArray(m?.content)) continue;
    for (const p of m.content) {
      const url = p?.video_url?.url ?? p?.image_url?.url;
      if (typeof url === 'string') urls.push(url);
    }
  }
  return urls;
}

/** Which video a request carries: a short hash of its media URLs (null when it has none). */
export function videoIdOf(body: any): string | null {
  const urls = mediaUrls(body);
  return urls.length === 0 ? null : sha(urls.join('\n')).slice(0, 16);
}

/** The prefix a replica caches: system text, media and the kwargs that change how the media is
 *  loaded and processed. */
export function vllmPrefixKey(body: any): string | null {
  const urls = mediaUrls(body);
  if (urls.length === 0) return null;
  const system = (Array.isArray(body?.messages) ? body.messages : [])
    .filter((m: any) => m?.role === 'system')
    .map((m: any) => (typeof m.content === 'string' ? m.content : canonicalJson(m.content)))
    .join('\n');
  return sha(
    [
      `S:${system}`,
      ...urls.map((u) => `M:${sha(u)}`),
      `IO:${canonicalJson(body?.media_io_kwargs ?? null)}`,
      `P:${canonicalJson(body?.mm_processor_kwargs ?? null)}`,
    ].join('\n'),
  );
}

/** What vLLM does with a `data:video/jpeg;base64,<f1>,<f2>,…` part under the request's kwargs. */
export interface FrameListReading {
  framesSent: number;
  /** VideoMediaIO keeps the first num_frames (vLLM PR #38636). */
  framesKept: number;
  /** The metadata fps of the loaded video (default 1). */
  loaderFps: number;
  /** Qwen2.5-VL's temporal step: temporal_patch_size / mm_processor_kwargs.fps (default 2.0). */
  secondPerGridT: number;
}

export function readFrameList(body: any): FrameListReading | null {
  const url = mediaUrls(body).find((u) => u.startsWith('data:video/jpeg;base64,'));
  if (url === undefined) return null;
  const framesSent = url.slice('data:video/jpeg;base64,'.length).split(',').length;
  const video = body?.media_io_kwargs?.video ?? {};
  const numFrames = typeof video.num_frames === 'number' ? video.num_frames : VLLM_VIDEO_NUM_FRAMES;
  const processorFps = typeof body?.mm_processor_kwargs?.fps === 'number' ? body.mm_processor_kwargs.fps : QWEN25VL_DEFAULT_FPS;
  return {
    framesSent,
    framesKept: numFrames > 0 ? Math.min(numFrames, framesSent) : framesSent,
    loaderFps: typeof video.fps === 'number' ? video.fps : VLLM_FRAME_LIST_FPS,
    secondPerGridT: QWEN25VL_TEMPORAL_PATCH / processorFps,
  };
}

/** An assistant-prefill request (what the answer reading sends for a branch not taken). */
export function isPrefill(body: any): boolean {
  return body?.continue_final_message === true;
}

export interface FleetOptions extends EndpointDoubleOptions {
  /** Cost model: the service time of a prefill request (one decode step on a cached prefix). */
  prefillMs?: number;
}

export interface FleetRequest {
  replica: number;
  record: RecordedRequest;
  video: string | null;
  prefill: boolean;
}

export interface FleetAccounting {
  /** Chat requests that reached a replica and were answered or refused there. */
  requests: FleetRequest[];
  /** Encodings of each video over the whole fleet. */
  encodingsByVideo: Map<string, number>;
  /** Encodings of each video on each replica. */
  encodingsByReplica: Array<Map<string, number>>;
  /** Replicas each video's requests went to. */
  replicasByVideo: Map<string, Set<number>>;
  prefill: {
    /** Prefill requests per question (by question text), for every answered question. */
    perQuestion: number[];
    /** Service time of prefill requests / service time of all requests, in [0, 1]; 0 without requests. */
    shareOfServiceTime: number;
  };
}

export interface Fleet {
  readonly replicas: EndpointDouble[];
  readonly urls: string[];
  accounting(): FleetAccounting;
  close(): Promise<void>;
}

export async function startFleet(count: number, options: FleetOptions = {}): Promise<Fleet> {
  const { prefillMs, ...doubleOptions } = options;
  const perRequestMs = doubleOptions.perRequestMs ?? 0;
  const replicas = await Promise.all(
    Array.from({ length: count }, () =>
      startEndpointDouble({
        ...doubleOptions,
        prefixKey: vllmPrefixKey,
        serviceMs: (body) => (isPrefill(body) ? (prefillMs ?? perRequestMs) : perRequestMs),
      }),
    ),
  );
  return {
    replicas,
    urls: replicas.map((r) => r.url),
    accounting: () => account(replicas),
    async close() {
      await Promise.all(replicas.map((r) => r.close()));
    },
  };
}

function account(replicas: EndpointDouble[]): FleetAccounting {
  const requests: FleetRequest[] = [];
  replicas.forEach((r, replica) => {
    for (const record of r.chatRequests())
      requests.push({ replica, record, video: videoIdOf(record.body), prefill: isPrefill(record.body) });
  });
  const encodingsByVideo = new Map<string, number>();
  const encodingsByReplica = replicas.map(() => new Map<string, number>());
  const replicasByVideo = new Map<string, Set<number>>();
  const prefillsByQuestion = new Map<string, number>();
  let serviceAll = 0;
  let servicePrefill = 0;
  for (const { replica, record, video, prefill } of requests) {
    if (video !== null) {
      if (!replicasByVideo.has(video)) replicasByVideo.set(video, new Set());
      replicasByVideo.get(video)!.add(replica);
      if (record.encoded) {
        encodingsByVideo.set(video, (encodingsByVideo.get(video) ?? 0) + 1);
        encodingsByReplica[replica]!.set(video, (encodingsByReplica[replica]!.get(video) ?? 0) + 1);
      }
    }
    // A prefill request carries its question's video and question text (the assistant turn
    // comes after the question), so it counts towards that question.
    if ((record.kind === 'answer' || record.kind === 'prefill') && record.status === 200 && record.question !== undefined) {
      const question = `${video}\n${record.question}`;
      prefillsByQuestion.set(question, (prefillsByQuestion.get(question) ?? 0) + (prefill ? 1 : 0));
    }
    serviceAll += record.serviceMs ?? 0;
    if (prefill) servicePrefill += record.serviceMs ?? 0;
  }
  return {
    requests,
    encodingsByVideo,
    encodingsByReplica,
    replicasByVideo,
    prefill: { perQuestion: [...prefillsByQuestion.values()], shareOfServiceTime: serviceAll > 0 ? servicePrefill / serviceAll : 0 },
  };
}
