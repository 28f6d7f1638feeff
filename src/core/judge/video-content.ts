// The video part(s) of an answering request. Built once per video and reused, unchanged, for
// every question: the base64 is encoded once, and identical bytes let vLLM/SGLang reuse the
// cached prefix (docs/ARCHITECTURE.md, "Talking to the endpoint").
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { InputMode } from '../types';
import { FingerError } from '../errors';

/** vLLM's video input part; not in the openai package's types. */
export interface VideoUrlContentPart {
  type: 'video_url';
  video_url: { url: string };
}

export interface VideoContentInput {
  mode: InputMode;
  frames: ReadonlyArray<{ jpeg: Buffer }>;
  file?: { data: Buffer; mime: string };
}

/**
 * video: one `video_url` part, `data:video/jpeg;base64,<f1>,<f2>,…` (vLLM decodes this as a
 * sequence of JPEG frames); frames: one `image_url` part per JPEG; file: the original file as
 * one `video_url` data URL (the server samples).
 */
export function buildVideoContent(input: VideoContentInput): ChatCompletionContentPart[] {
  if (input.mode === 'file') {
    if (!input.file) throw new FingerError('Input mode "file" needs the video file bytes.');
    const mime = input.file.mime || 'video/mp4';
    return [asContentPart({ type: 'video_url', video_url: { url: `data:${mime};base64,${input.file.data.toString('base64')}` } })];
  }
  if (input.frames.length === 0) {
    throw new FingerError('No frames were sampled from the video, so there is nothing to send.', {
      hint: 'Check that the file is a playable video, or use finger.mode "file".',
    });
  }
  if (input.mode === 'frames') {
    return input.frames.map((f) => ({ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${f.jpeg.toString('base64')}` } }));
  }
  const url = `data:video/jpeg;base64,${input.frames.map((f) => f.jpeg.toString('base64')).join(',')}`;
  return [asContentPart({ type: 'video_url', video_url: { url } })];
}

/** The openai types have no video part; servers that take videos accept it as an extra part type. */
function asContentPart(part: VideoUrlContentPart): ChatCompletionContentPart {
  return part as unknown as ChatCompletionContentPart;
}

/**
 * The request fields that tell the server the timing of a `video` part made of our frames
 * (`data:video/jpeg;base64,<f1>,<f2>,…`). The frame list itself carries no rate, so without
 * them the server assumes one (README, "Serving a model"):
 *
 * - `media_io_kwargs.video` — read by vLLM's frame-list loader (vllm/multimodal/media/video.py,
 *   VideoMediaIO.load_base64 for "video/jpeg"): `fps` becomes the video's metadata fps (default
 *   1 when absent) and its duration is frames / fps; `num_frames` is how many frames of the list
 *   it keeps (default 32, the first 32: vLLM PR #38636), so it is sent as our frame count. The
 *   request-level field exists since vLLM PR #34778 (VideoMediaIO.merge_kwargs merges it over
 *   --media-io-kwargs); older servers ignore it.
 * - `mm_processor_kwargs.fps` — passed by vLLM to the Hugging Face processor; Qwen2.5-VL's
 *   processor (transformers, Qwen2_5_VLProcessor.__call__) sets
 *   second_per_grid_ts = temporal_patch_size / fps from it (default 2.0), the time step of
 *   its temporal position ids. Every vLLM with Qwen2.5-VL reads it (PR #13533).
 *
 * Both are part of the server's multimodal cache key (vLLM hashes the loaded item together with
 * the processor kwargs), so the object is built once per video and the same object is sent with
 * every question: identical bytes, one encoding.
 */
export interface VideoTimingFields {
  media_io_kwargs: { video: { fps: number; num_frames: number } };
  mm_processor_kwargs: { fps: number };
}

/** The rate of `frameCount` frames spread evenly over `durationSec` seconds (planSampling puts
 *  one frame at the centre of each of `frameCount` equal intervals), rounded to 1e-6 so the
 *  same video always yields the same number; undefined when the duration is unknown. */
export function samplingRate(frameCount: number, durationSec: number): number | undefined {
  if (!(frameCount > 0) || !(durationSec > 0) || !Number.isFinite(durationSec)) return undefined;
  return Math.round((frameCount / durationSec) * 1e6) / 1e6;
}

/** Timing fields for a request whose video part is built from `frameCount` of our frames in
 *  `mode` "video"; undefined for the other modes (an image list has no timing, and in "file"
 *  mode the server samples the file itself) and when the duration is unknown. */
export function videoTimingFields(mode: InputMode, frameCount: number, durationSec: number): VideoTimingFields | undefined {
  if (mode !== 'video') return undefined;
  const fps = samplingRate(frameCount, durationSec);
  if (fps === undefined) return undefined;
  return { media_io_kwargs: { video: { fps, num_frames: frameCount } }, mm_processor_kwargs: { fps } };
}
