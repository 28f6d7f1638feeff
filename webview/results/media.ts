// The video (when its codec can play in a webview) and the strip of sampled frames — the frames
// are what the model actually saw, so they are shown for every video, playable or not.
import type { VideoView } from '../../src/shared/protocols/results';
import { el, icon, safeMediaUri } from '../common/dom';
import { seconds } from '../common/format';

export function renderMedia(container: HTMLElement, video: VideoView): void {
  const frames = video.frames
    .map((f) => ({ ...f, src: safeMediaUri(f.uri) }))
    .filter((f): f is typeof f & { src: string } => f.src !== undefined);
  const videoSrc = video.videoUri ? safeMediaUri(video.videoUri) : undefined;
  const fragment = document.createDocumentFragment();

  let player: HTMLVideoElement | undefined;
  let preview: HTMLImageElement | undefined;
  const stage = el('div', { className: 'media-stage' });
  const unplayableNote = (): HTMLElement =>
    el(
      'p',
      { className: 'media-note' },
      icon('info'),
      ' This video’s codec cannot play inside VS Code; the sampled frames below are what the model saw.',
    );
  if (videoSrc) {
    player = el('video', {
      className: 'player',
      attrs: { controls: true, muted: true, preload: 'metadata', playsinline: true, 'aria-label': `Video ${video.name}` },
    });
    player.muted = true;
    if (frames[0]) player.poster = frames[0].src;
    player.src = videoSrc;
    const p = player;
    p.addEventListener('error', () => {
      // Codec or container the webview cannot decode (VP9, AAC-only, …): fall back to the frames.
      p.replaceWith(unplayableNote());
      player = undefined;
    });
    stage.append(player);
  } else if (frames[0]) {
    preview = el('img', { className: 'frame-preview', attrs: { alt: `Frame at ${seconds(frames[0].timeSec)}`, src: frames[0].src } });
    stage.append(preview, unplayableNote());
  } else {
    stage.append(el('p', { className: 'media-note' }, icon('info'), ' No video preview and no sampled frames are available.'));
  }
  fragment.append(stage);

  if (frames.length > 0) {
    const strip = el('ol', { className: 'frame-strip', attrs: { 'aria-label': 'Sampled frames' } });
    frames.forEach((frame, index) => {
      const label = seconds(frame.timeSec);
      const button = el(
        'button',
        {
          className: 'frame',
          title: player ? `Seek to ${label}` : `Show frame at ${label}`,
          attrs: { 'aria-pressed': index === 0 ? 'true' : 'false' },
          onClick: () => {
            strip.querySelectorAll('button.frame[aria-pressed="true"]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
            button.setAttribute('aria-pressed', 'true');
            if (player) {
              player.currentTime = frame.timeSec;
            } else if (preview) {
              preview.src = frame.src;
              preview.alt = `Frame at ${label}`;
            }
          },
        },
        el('img', { attrs: { src: frame.src, alt: `Frame at ${label}`, loading: 'lazy', decoding: 'async' } }),
        el('span', { className: 'frame-time' }, label),
      );
      strip.append(el('li', null, button));
    });
    fragment.append(strip);
  }
  container.replaceChildren(fragment);
}
