// Sample workspaces for the VS Code tests and the demo: short clips made by ffmpeg's lavfi sources
// (test/helpers/clips.ts, no media in git), prompt sidecars, a prompts.csv manifest, a question set.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeClip, makeTempDir, type ClipOptions } from '../helpers/clips';

export interface SampleClip {
  /** Path relative to the workspace, e.g. "clips/bars.mp4". */
  file: string;
  clip?: ClipOptions;
  /** Written to the sidecar `<name>.txt`. */
  prompt?: string;
  /** Listed in prompts.csv instead of a sidecar. */
  csvPrompt?: string;
}

export const SAMPLE_CLIPS: SampleClip[] = [
  {
    file: 'testsrc.mp4',
    clip: { source: 'testsrc2' },
    prompt: 'A colourful test pattern with a moving counter and a sweeping gradient',
  },
  {
    file: 'mandelbrot.mp4',
    clip: { source: 'mandelbrot' },
    prompt: 'A slow zoom into a glowing fractal with deep blue and orange swirls',
  },
  {
    file: 'red-square.mp4',
    clip: {
      source: 'color=c=navy',
      outputArgs: ['-filter_complex', 'color=c=red:size=60x60:rate=24[fg];[0:v][fg]overlay=x=t*120:y=90:shortest=1'],
    },
    csvPrompt: 'A red square glides from left to right across a dark blue background',
  },
];

/** The question set (docs/ARCHITECTURE.md, "Question set") written next to the first sample clip. */
export const SAMPLE_QUESTIONS = {
  version: 1,
  prompt: SAMPLE_CLIPS[0]!.prompt,
  entities: [
    { id: 'e1', name: 'test pattern' },
    { id: 'e2', name: 'counter' },
  ],
  questions: [
    {
      id: 'q1',
      dimension: 'visual_quality',
      entity: 'test pattern',
      text: 'Are the colour bars of the test pattern sharp and free of artifacts?',
      polarity: 'positive',
    },
    {
      id: 'q2',
      dimension: 'temporal_consistency',
      entity: 'counter',
      text: 'Does the counter jump backwards or flicker between frames?',
      polarity: 'negative',
    },
    {
      id: 'q3',
      dimension: 'dynamic_degree',
      entity: 'test pattern',
      text: 'Does the gradient visibly move during the clip?',
      polarity: 'positive',
    },
    { id: 'q4', dimension: 'text_alignment', entity: 'counter', text: 'Is there a moving counter in the video?', polarity: 'positive' },
  ],
};

export interface SampleWorkspaceOptions {
  /** Folder to fill (created); default: a new temp folder. */
  dir?: string;
  clips?: SampleClip[];
  /** Workspace `.vscode/settings.json`. */
  settings?: Record<string, unknown>;
  /** Write `<first clip>.questions.json`. Default true. */
  questions?: boolean;
}

const withExt = (file: string, ext: string) => file.replace(/\.[^./]+$/, '') + ext;

/** Builds a workspace with clips, prompts and manifests; returns its absolute path. */
export async function makeSampleWorkspace(opts: SampleWorkspaceOptions = {}): Promise<string> {
  const dir = opts.dir ?? (await makeTempDir('finger-ws'));
  mkdirSync(dir, { recursive: true });
  const clips = opts.clips ?? SAMPLE_CLIPS;
  await Promise.all(
    clips.map(async (c) => {
      mkdirSync(join(dir, dirname(c.file)), { recursive: true });
      await makeClip(dir, c.file, c.clip);
      if (c.prompt) writeFileSync(join(dir, withExt(c.file, '.txt')), `${c.prompt}\n`);
    }),
  );
  const csv = clips.filter((c) => c.csvPrompt);
  if (csv.length > 0) {
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(join(dir, 'prompts.csv'), ['file,prompt', ...csv.map((c) => `${c.file},${quote(c.csvPrompt!)}`)].join('\n') + '\n');
  }
  const first = clips[0];
  if (first && opts.questions !== false) {
    writeFileSync(
      join(dir, withExt(first.file, '.questions.json')),
      JSON.stringify({ ...SAMPLE_QUESTIONS, prompt: first.prompt ?? first.csvPrompt }, null, 2) + '\n',
    );
  }
  if (opts.settings) {
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(opts.settings, null, 2) + '\n');
  }
  return dir;
}
