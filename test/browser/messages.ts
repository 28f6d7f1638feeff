// Builders for the messages the extension sends, typed by the shared protocol so a test cannot
// send a shape the extension could not.
import type { Labels, Result } from '../../src/core/types';
import { makeNotification, type NotificationParams } from '../../src/shared/protocol';
import type { Harness } from './harness';

export function showMessage(
  harness: Harness,
  result: Result | null,
  options: { labels?: Labels | null; video?: boolean; frames?: boolean; theme?: 'light' | 'dark' } = {},
) {
  const video: NotificationParams<'results/show'>['video'] = {
    name: 'chef-tomato.mp4',
    relPath: 'clips/chef-tomato.mp4',
    promptFile: 'clips/chef-tomato.txt',
    frames: options.frames === false ? [] : harness.media.frames.map((f) => ({ uri: harness.origin + f.path, timeSec: f.timeSec })),
    ...(options.video !== false && harness.media.video ? { videoUri: harness.origin + harness.media.video } : {}),
  };
  return makeNotification('results/show', { result, labels: options.labels ?? null, video, theme: options.theme ?? 'dark' });
}
