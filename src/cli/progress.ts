// Progress on stderr: a live bar on a terminal (cli-progress), plain lines otherwise (CI logs,
// pipes), so stdout stays clean for --json.
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  addQuestions(n: number): void;
  questionDone(): void;
  line(text: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, videos: number): Progress {
  if (!stream.isTTY) {
    return {
      addQuestions: () => {},
      questionDone: () => {},
      line: (t) => stream.write(`${t}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar(
    {
      stream,
      format: 'Scoring |{bar}| {value}/{total} questions | {videosDone}/{videos} videos | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let total = 0;
  let value = 0;
  let videosDone = 0;
  bar.start(0, 0, { videos, videosDone });
  return {
    addQuestions(n) {
      total += n;
      bar.setTotal(total);
    },
    questionDone() {
      bar.update(++value);
    },
    line(text) {
      // Finished videos are printed above the bar.
      if (text.startsWith('✓') || text.startsWith('✗')) videosDone++;
      bar.update(value, { videosDone });
      stream.write(`\r\x1b[2K${text}\n`);
      bar.render();
    },
    stop() {
      bar.stop();
    },
  };
}
