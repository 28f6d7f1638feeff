// Reads what ffmpeg's `metadata=mode=print` writes: per frame a header line
//   frame:12   pts:6144    pts_time:0.48
// followed by one `key=value` line per metadata entry the filters before it set
// (libavfilter/f_metadata.c, print_file). Read as a stream, line by line, so a long clip is never
// held as one string.

/** The values of one frame that the signals use (NaN / undefined when a filter did not say). */
export interface FrameStats {
  /** Frame number as ffmpeg counts it. */
  n: number;
  /** Presentation time in seconds (absolute, as the container has it); NaN when unknown. */
  t: number;
  /** siti: temporal information (P.910), 0 on the first frame. */
  ti: number;
  /** siti: spatial information. */
  si: number;
  /** blurdetect: blurriness (higher is blurrier). */
  blur: number;
  /** signalstats: mean luma. */
  yavg: number;
  /** scdet: scene-change score 0–100. */
  scdScore: number;
  /** scdet: mean absolute frame difference (0–100) the score is computed from. */
  mafd: number;
  /** scdet: set on a frame whose score reached the threshold. */
  cut: boolean;
  /** freezedetect: a frozen stretch starts at this time (set once it has lasted `d`). */
  freezeStart?: number;
  /** freezedetect: the frozen stretch ended at this time (the first frame that differs). */
  freezeEnd?: number;
  /** blackdetect: a black stretch starts / ends at these times. */
  blackStart?: number;
  blackEnd?: number;
}

function blankFrame(n: number, t: number): FrameStats {
  return { n, t, ti: NaN, si: NaN, blur: NaN, yavg: NaN, scdScore: NaN, mafd: NaN, cut: false };
}

const HEADER = /^frame:(\d+)\s+pts:\S+\s+pts_time:(\S+)/;

export class FrameMetadataParser {
  private readonly frames: FrameStats[] = [];
  private current: FrameStats | undefined;
  private partial = '';
  private readonly decoder = new TextDecoder('utf-8');

  push(chunk: Uint8Array): void {
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): FrameStats[] {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    if (rest) this.line(rest);
    return this.frames;
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    const header = HEADER.exec(line);
    if (header) {
      this.current = blankFrame(Number(header[1]), Number(header[2]));
      this.frames.push(this.current);
      return;
    }
    const f = this.current;
    const eq = line.indexOf('=');
    if (!f || eq <= 0) return;
    const key = line.slice(0, eq);
    const value = Number(line.slice(eq + 1));
    switch (key) {
      case 'lavfi.siti.ti':
        f.ti = value;
        break;
      case 'lavfi.siti.si':
        f.si = value;
        break;
      case 'lavfi.blur':
        f.blur = value;
        break;
      case 'lavfi.signalstats.YAVG':
        f.yavg = value;
        break;
      case 'lavfi.scd.score':
        f.scdScore = value;
        break;
      case 'lavfi.scd.mafd':
        f.mafd = value;
        break;
      case 'lavfi.scd.time':
        f.cut = true;
        break;
      case 'lavfi.freezedetect.freeze_start':
        f.freezeStart = value;
        break;
      case 'lavfi.freezedetect.freeze_end':
        f.freezeEnd = value;
        break;
      case 'lavfi.black_start':
        f.blackStart = value;
        break;
      case 'lavfi.black_end':
        f.blackEnd = value;
        break;
      default:
        break;
    }
  }
}

/** Parses a whole printout at once (tests). */
export function parseFrameMetadata(text: string): FrameStats[] {
  const p = new FrameMetadataParser();
  p.push(new TextEncoder().encode(text));
  return p.end();
}
