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
