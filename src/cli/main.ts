// The `finger` command: the same engine as the VS Code extension, headless.
//   finger score <video-or-folder>...     score videos, write .finger/results/…json
//   finger questions <video-or-folder>... write <name>.questions.json for review before scoring
//   finger report                         one row per scored video
//   finger compare <folder>               models compared on the same prompts
//   finger best-of-n <folder>             the best of each prompt's clips
//   finger export                         questions and answers as training data
//   finger gate --fail-under KEY=MIN      check saved results against minimum scores (CI)
// Exit status: 0 all scored, 1 some failed (the others are saved), 2 bad usage or configuration,
// 3 every video scored but at least one is below a --fail-under gate, 130 cancelled with Ctrl-C.
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, FingerError, describeError, isAbortError } from '../core/errors';
import { runScore, runQuestions } from './score';
import { runReport } from './report';
import { runAgreement } from './agreement';
import { runCompare } from './compare';
import { runBestOfN } from './best-of-n';
import { runExport } from './export';
import { runGate } from './gate';
import { ProtocolSchema } from '../core/types';

const EXIT_USAGE = 2;

const protocolOption = (description: string) =>
  new Option('--protocol <name>', description).choices(ProtocolSchema.options).default('finger');

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The gate options `finger score` and `finger gate` share. */
const gateOptions = (cmd: Command) =>
  cmd
    .option(
      '--fail-under <key=min>',
      'fail (exit 3) when a clip scores below MIN: overall, a dimension id, or a signal (repeatable)',
      collect,
    )
    .option('--junit <file>', 'write JUnit XML: one test case per clip')
    .option('--summary <file>', 'append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)');

/** A command over saved results: where `.finger/` is, and whose results (one protocol). */
function resultsCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--workspace <dir>', 'root of .finger/', process.cwd())
    .addOption(protocolOption("which protocol's results"));
}

export function buildProgram(): Command {
  const program = new Command('finger')
    .description(
      'Evaluate AI-generated videos with FingER: entity-level questions answered by a video MLLM, scored from answer-token probabilities.',
    )
    .version(process.env.FINGER_VERSION ?? '0.1.0')
    .showHelpAfterError('(run finger --help for usage)')
    .option('--debug', 'print stack traces of errors')
    // Before any subcommand is added: subcommands copy these settings when they are created, and
    // without exitOverride commander would exit(1) itself instead of our usage status 2.
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const endpointOptions = (cmd: Command) =>
    cmd
      .option('--endpoint <url>', 'OpenAI-compatible base URL (repeat or comma-separate for several; default $FINGER_ENDPOINT)', collect)
      .option('--model <name>', 'model served at the endpoint (default $FINGER_MODEL)')
      .option('--question-endpoint <url>', 'endpoint for entity extraction and question generation (default: the judge endpoint)')
      .option('--question-model <name>', 'model for question generation (default: the judge model)')
      .option('--workspace <dir>', 'root of .finger/ and of relative paths', process.cwd())
      .option('--concurrency <n>', 'requests in flight at once, over all endpoints', '8')
      .option('--timeout <seconds>', 'per-request timeout')
      .option('--retries <n>', 'retries of a failed request (429, 5xx, resets, timeouts)')
      .option(
        '--routing-header <name>',
        "header carrying each video's routing key for a router in front of several replicas; '' for none (default $FINGER_ROUTING_HEADER, then x-smg-routing-key)",
      )
      .option('--ffmpeg <path>', 'ffmpeg binary (default $FINGER_FFMPEG, then PATH); ffprobe is looked for beside it');

  const score = endpointOptions(
    program
      .command('score')
      .description('score videos (files or folders, searched recursively) and save one result file per video')
      .argument('<paths...>', 'videos or folders'),
  )
    .addOption(protocolOption('evaluation protocol'))
    .option('--questions <file>', 'use this question set (format: docs/ARCHITECTURE.md, "Question set") instead of generating one')
    .addOption(new Option('--mode <mode>', 'how the video is sent').choices(['video', 'frames', 'file']).default('video'))
    .option('--fps <n>', 'frames sampled per second', '2')
    .option('--max-frames <n>', 'at most this many frames, evenly spaced', '32')
    .option('--max-pixels <n>', 'pixels per frame at most (aspect ratio kept)', String(448 * 448))
    .option('--no-reasoning', 'fast mode: one answer token, no reason')
    .addOption(
      new Option(
        '--soft-score <rule>',
        "videoscore2 and qsave: a rating from its digit's probabilities, as VideoScore2's vs2_inference.py computes it (best digit × its probability renormalised over 1–5) or their expected value (default: vs2-normed for videoscore2, expected for qsave)",
      ).choices(['vs2-normed', 'expected']),
    )
    .option('--temperature <t>', 'sampling temperature of the judge', '0')
    .option('--weight <dimension=w>', 'weight of a dimension in the overall score (repeatable)', collect)
    .option('--force', 'ask the endpoint again even for answers already cached')
    .option('--json', 'print a JSON summary to stdout')
    .addOption(
      new Option('--then <protocol>', 'after --protocol signals: score only the clips that passed every signal with this protocol').choices(
        ProtocolSchema.options.filter((p) => p !== 'signals'),
      ),
    )
    .option('--signal <key=value>', 'a signals threshold, e.g. frozen.minSec=0.5 (repeatable; see README)', collect);
  gateOptions(score).action(async (paths: string[], flags, cmd: Command) => {
    process.exitCode = await runScore(paths, { ...flags, debug: cmd.optsWithGlobals().debug });
  });

  endpointOptions(
    program
      .command('questions')
      .description('generate the question set of each video and write it as <name>.questions.json beside the video')
      .argument('<paths...>', 'videos or folders'),
  )
    .option('--force', 'overwrite an existing <name>.questions.json')
    .action(async (paths: string[], flags) => {
      process.exitCode = await runQuestions(paths, flags);
    });

  resultsCommand(program, 'report', 'one row per scored video with overall and dimension scores')
    .addOption(
      new Option('--format <format>', 'output format (html: one self-contained file)')
        .choices(['table', 'csv', 'json', 'html'])
        .default('table'),
    )
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (flags) => {
      process.exitCode = await runReport(flags);
    });

  gateOptions(
    program
      .command('gate')
      .description('check saved results against minimum scores, without an endpoint; exit 3 when a clip is below a gate')
      .option('--workspace <dir>', 'root of .finger/', process.cwd())
      .addOption(new Option('--protocol <name...>', "which protocols' results (default finger)").choices(ProtocolSchema.options)),
  ).action(async (flags) => {
    process.exitCode = await runGate(flags);
  });

  resultsCommand(
    program,
    'agreement',
    'agreement of the scores with people: human scores (SRCC, PLCC, Kendall tau-b, tie-calibrated pairwise accuracy, accuracy without ties), pairwise preferences, and the answers corrected in .finger/labels/',
  )
    .option('--human <file>', 'human scores: CSV with a video,score header, or JSON {"clip.mp4": 4.5}')
    .option('--pairs <file>', 'pairwise preferences: CSV video_a,video_b,preference with a|b|tie (also A/B/same, video1/video2/tie)')
    .option('--labels', "the judge's answer accuracy against the answers people corrected (.finger/labels/)")
    .option('--dimension <id>', 'compare one dimension instead of the overall score')
    .option('--json', 'print JSON')
    .action(async (flags) => {
      process.exitCode = await runAgreement(flags);
    });

  resultsCommand(
    program,
    'compare',
    'compare the models whose clips are in a folder on the same prompts: means with bootstrap intervals, ranks, win/tie/loss, sign tests',
  )
    .argument('<folder>', 'folder of clips: <folder>/<model>/<same relative path>, or a prompt manifest with model and prompt_id')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json', 'html']).default('table'))
    .option('--metric <metric>', 'rank and test by overall or one dimension', 'overall')
    .option('--resamples <n>', 'bootstrap resamples of the prompts', '2000')
    .option('--seed <n>', 'seed of the bootstrap', '1')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (folder: string, flags) => {
      process.exitCode = await runCompare(folder, flags);
    });

  resultsCommand(
    program,
    'best-of-n',
    'for each prompt, the best of its clips (per model, or across models with --across) and the margin over the runner-up',
  )
    .argument('<folder>', 'folder of clips')
    .option('--metric <metric>', 'overall or one dimension', 'overall')
    .option('--across', 'pick across models instead of per model')
    .option('--out <file>', 'write the picks (CSV) to this file instead of stdout')
    .option('--json', 'JSON instead of CSV')
    .action(async (folder: string, flags) => {
      process.exitCode = await runBestOfN(folder, flags);
    });

  program
    .command('export')
    .description(
      "write the questions and answers (people's corrections first) as training data, one sample per question, and best-of-N preference pairs",
    )
    .addOption(
      new Option('--format <format>', 'llamafactory (messages + videos, and dataset_info.json), sharegpt, jsonl or csv')
        .choices(['llamafactory', 'sharegpt', 'jsonl', 'csv'])
        .makeOptionMandatory(),
    )
    .requiredOption('--out <file>', 'where to write the samples')
    .option('--labelled-only', 'only questions whose answer a person corrected or confirmed')
    .option('--workspace <dir>', 'root of .finger/', process.cwd())
    .option('--folder <dir>', 'only clips under this folder')
    .option('--preferences <file>', 'also write preference pairs (best vs worst clip of each prompt, JSON Lines)')
    .option('--metric <metric>', 'the score that orders clips for --preferences', 'overall')
    .option('--dataset-name <name>', 'name of the dataset_info.json entry (default: the --out file name without extension)')
    .action(async (flags) => {
      process.exitCode = await runExport(flags);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isAbortError(e)) return 130;
    process.stderr.write(`finger: ${describeError(e)}\n`);
    if (argv.includes('--debug') && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof ConfigError || e instanceof FingerError ? EXIT_USAGE : 1;
  }
}

/**
 * Keeps V8's young generation at its starting size for the whole run. V8 doubles the young
 * generation (up to 2 × 64 MB) each time the bytes that survived its scavenges since the last
 * doubling exceed its size; a long run always gets there, because every scavenge finds the
 * requests then in flight alive. So the peak memory of `finger score` grew with the number of
 * videos (253 MiB for 100 clips, 330 MiB for 500) though what the run keeps is about 20 MB.
 * With the growth factor at 1 it stays at a few MB, and the CPU time of a run is the same
 * (scavenges of a small young generation are cheap; measured over 100 clips, 6.1 s vs 6.0 s).
 * This is the last resort after cutting what each request allocates (see endpoint/body.ts): the
 * bulk is the openai client's and fetch's own per-request work. The flag is read at each
 * resize, so setting it at start-up, before any real work, is enough.
 */
function boundYoungGeneration(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    /* an engine without the flag: the default growth */
  }
}

/** Entry point of bin/finger.js and `node dist/cli.js`. */
export function runCli(): void {
  boundYoungGeneration();
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runCli();
