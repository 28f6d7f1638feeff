// `finger export`: questions and answers (with people's corrections) as training data, and
// best-of-N preference pairs (README, "Exporting training data").
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, FingerError, describeError } from '../core/errors';
import { listResults, readLabels, writeTextAtomic } from '../core/store';
import { loadTemplates } from '../core/templates';
import { bestOfN } from '../core/workbench/best-of-n';
import {
  buildSamples,
  datasetInfoEntry,
  EXPORT_FORMATS,
  formatSamples,
  type ExportClip,
  type ExportFormat,
  type PreferencePairOut,
} from '../core/workbench/export';
import { groupClips } from '../core/workbench/grouping';
import { folderUnder } from '../core/workbench/load';
import { parseMetric } from './compare';

export async function runExport(flags: {
  workspace: string;
  format: string;
  out: string;
  labelledOnly?: boolean;
  folder?: string;
  preferences?: string;
  metric?: string;
  datasetName?: string;
}): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format))
    throw new ConfigError(`--format must be one of ${EXPORT_FORMATS.join(', ')}; got "${flags.format}".`);
  const format = flags.format as ExportFormat;
  const workspace = path.resolve(flags.workspace);
  const out = path.resolve(flags.out);
  const metric = parseMetric(flags.metric);
  const root = folderUnder(workspace, flags.folder ?? '.');
  let problems = 0;

  const listed = (await listResults(workspace)).filter((l) => root === '' || l.videoRelPath.startsWith(`${root}/`));
  const clips: ExportClip[] = [];
  for (const l of listed) {
    if (!l.result) {
      process.stderr.write(`finger: ${l.error ?? `${l.file} could not be read`} (not exported)\n`);
      problems++;
      continue;
    }
    try {
      clips.push({ video: l.videoRelPath, result: l.result, labels: await readLabels(workspace, path.join(workspace, l.videoRelPath)) });
    } catch (e) {
      // Exporting the judge's answers where a person's corrections exist but cannot be read would
      // put wrong targets in the training data: the clip is left out instead.
      process.stderr.write(`finger: ${describeError(e)} (${l.videoRelPath} not exported until its labels file is fixed)\n`);
      problems++;
    }
  }
  const where = root === '' ? workspace : path.join(workspace, root);
  if (clips.length === 0) {
    throw new FingerError(`has no scored clips to export${problems ? ` (${problems} result file(s) could not be read)` : ''}.`, {
      file: where,
      hint: 'Score the clips first: finger score <folder>',
    });
  }
  const templates = await loadTemplates({ workspaceRoot: workspace });
  const { samples, skippedUnanswered, otherTemplates } = buildSamples(clips, templates, {
    labelledOnly: flags.labelledOnly,
    outDir: path.dirname(out),
    workspace,
  });
  if (samples.length === 0) {
    throw new FingerError(
      flags.labelledOnly
        ? 'has no corrected answers to export (.finger/labels/ is empty for these clips).'
        : 'has no answered questions to export.',
      {
        file: where,
        hint: flags.labelledOnly
          ? 'Correct answers in the results panel first, or leave out --labelled-only.'
          : 'Score the clips again once the endpoint answers.',
      },
    );
  }
  if (otherTemplates.length) {
    process.stderr.write(
      `finger: ${otherTemplates.length} clip(s) were answered with other answer templates than the current ones (${otherTemplates.slice(0, 5).join(', ')}${otherTemplates.length > 5 ? ', …' : ''}); their questions are written as the current templates render them\n`,
    );
  }

  // dataset_info.json beside the data: read (and refuse if broken) before anything is written.
  let datasetInfo: { file: string; data: Record<string, unknown>; name: string } | undefined;
  if (format === 'llamafactory' || format === 'sharegpt') {
    const file = path.join(path.dirname(out), 'dataset_info.json');
    let data: Record<string, unknown> = {};
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
        data = parsed as Record<string, unknown>;
      } catch (e) {
        throw new FingerError(`is not a valid dataset_info.json (${(e as Error).message}); nothing was written.`, {
          file,
          hint: 'Fix it or remove it, or write the export to another folder.',
        });
      }
    }
    const name = flags.datasetName ?? path.basename(out).replace(/\.[^.]+$/, '');
    datasetInfo = { file, data: { ...data, [name]: datasetInfoEntry(path.basename(out), format) }, name };
  }

  await writeTextAtomic(out, formatSamples(samples, format));
  const labelled = samples.filter((s) => s.answerSource === 'human').length;
  process.stderr.write(
    `finger: wrote ${samples.length} samples (${labelled} with a person's answer) from ${clips.length} clips to ${flags.out}${skippedUnanswered ? `; ${skippedUnanswered} unanswered question(s) left out` : ''}\n`,
  );
  if (datasetInfo) {
    await writeTextAtomic(datasetInfo.file, JSON.stringify(datasetInfo.data, null, 2) + '\n');
    process.stderr.write(`finger: dataset "${datasetInfo.name}" added to ${datasetInfo.file}\n`);
  }

  if (flags.preferences) {
    const prefFile = path.resolve(flags.preferences);
    const grouping = groupClips(
      clips.map((c) => ({ video: c.video, resultFile: '', result: c.result })),
      root,
    );
    const picks = bestOfN(grouping, { metric, scope: 'all' }).picks.filter((p) => p.worst !== null && p.best.score > p.worst.score);
    const rel = (v: string) => path.relative(path.dirname(prefFile), path.join(workspace, v)).split(path.sep).join('/');
    const pairs: PreferencePairOut[] = picks.map((p) => ({
      prompt_key: p.promptKey,
      prompt: p.prompt,
      metric,
      chosen: rel(p.best.video),
      rejected: rel(p.worst!.video),
      chosen_score: p.best.score,
      rejected_score: p.worst!.score,
      margin: p.best.score - p.worst!.score,
    }));
    if (pairs.length === 0) {
      process.stderr.write('finger: no preference pairs: no prompt has two clips with different scores\n');
      problems++;
    } else {
      await writeTextAtomic(prefFile, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
      process.stderr.write(
        `finger: wrote ${pairs.length} preference pairs (best vs worst clip of each prompt by ${metric}) to ${flags.preferences}\n`,
      );
    }
  }
  return problems > 0 ? 1 : 0;
}
