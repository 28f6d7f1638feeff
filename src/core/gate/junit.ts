// JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): one test suite per protocol,
// one test case per clip, the failure message naming the failing dimensions and the text of the
// failure holding the worst questions with answers and reasons; `time` is the seconds the clip
// took to score in this run. Built with junit-report-builder (README.md, "Dependencies and why");
// checked against Jenkins' junit-4.xsd in test/unit/gate/junit.test.ts.
import builder from 'junit-report-builder';
import { describeFailure, describeVerdict, type GateReport } from './index';

/** XML 1.0 allows only these characters; model text may carry others (control characters, lone
 *  surrogates), which would make the whole file unreadable, so they are replaced. */
export function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

/** `clips/cats/a.mp4` → classname `clips.cats`, name `a.mp4` (how CI tools group test cases). */
function caseNames(video: string): { className: string; name: string } {
  const parts = video.split('/');
  const name = parts.pop() ?? video;
  return { className: parts.length ? parts.join('.') : '(workspace)', name };
}

export function junitXml(reports: readonly { protocol: string; report: GateReport }[]): string {
  const b = builder.newBuilder();
  b.name('finger');
  for (const { protocol, report } of reports) {
    const suite = b.testSuite().name(xmlSafe(`finger ${protocol}`));
    for (const [key, min] of Object.entries(report.thresholds)) suite.property(`fail-under.${key}`, String(min));
    for (const v of report.clips) {
      const { className, name } = caseNames(v.video);
      const tc = suite
        .testCase()
        .className(xmlSafe(className))
        .name(xmlSafe(name))
        .time(Number(v.timeSec.toFixed(3)));
      if (v.pass) continue;
      const message = v.error ? `could not be scored: ${v.error}` : `below the gate: ${v.failures.map(describeFailure).join(', ')}`;
      if (v.error && !v.result) tc.error(xmlSafe(message), 'NotScored', xmlSafe(describeVerdict(v)));
      else tc.failure(xmlSafe(message), 'BelowGate').stacktrace(xmlSafe(describeVerdict(v)));
    }
  }
  // junit-report-builder also counts `skipped` on the root <testsuites>, an attribute Jenkins'
  // junit-4.xsd does not allow there (it does on <testsuite>); we never skip, so it is dropped.
  return b.build().replace(/^(<testsuites\b[^>]*?) skipped="\d+"/m, '$1') + '\n';
}
