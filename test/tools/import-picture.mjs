// `npm run imports`: the import picture of the repository, from dependency-cruiser.
//
//   1. every folder (src/core/<part>, src/<shell>, webview/<part>) with the folders it imports;
//   2. cycles between those folders (a file-level cycle is a rule of .dependency-cruiser.cjs; a
//      folder-level one means two parts of the engine each lean on the other);
//   3. the layer rules of .dependency-cruiser.cjs, file by file (docs/ARCHITECTURE.md, "Layers").
//
// Exit status 1 when there is a folder cycle or a rule is broken, so the picture can gate a build.
// `npm run imports -- --mermaid` prints the folder graph as a Mermaid flowchart instead of text.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const FOLDERS = String.raw`^(src/core/[^/.]+|src/[^/]+|webview/[^/]+)`;
const mermaid = process.argv.includes('--mermaid');

/** Runs the dependency-cruiser CLI; it exits with the number of violations, which is not an error here. */
function cruise(args) {
  try {
    return {
      ok: true,
      out: execFileSync(process.execPath, [depcruise, 'src', 'webview', '-c', '.dependency-cruiser.cjs', ...args], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      }),
    };
  } catch (e) {
    if (typeof e.stdout === 'string' && e.status > 0 && e.status < 128 && e.stdout.includes('violation'))
      return { ok: false, out: e.stdout };
    throw e;
  }
}

// 1. The folder graph.
const collapsed = JSON.parse(cruise(['-T', 'json', '--collapse', FOLDERS]).out);
/** @type {Map<string, Set<string>>} */
const graph = new Map();
for (const m of collapsed.modules) {
  if (m.source === 'vscode' || m.coreModule) continue;
  const to = graph.get(m.source) ?? new Set();
  for (const d of m.dependencies) if (d.resolved !== m.source && !d.coreModule) to.add(d.resolved);
  graph.set(m.source, to);
}
const names = [...graph.keys()].sort();
const short = (n) => n.replace(/^src\/core\//, 'core/').replace(/^src\//, '');
if (mermaid) {
  const id = (n) => n.replace(/[^\w]/g, '_');
  console.log('flowchart LR');
  for (const n of names) for (const t of [...graph.get(n)].sort()) console.log(`  ${id(n)}[${n}] --> ${id(t)}[${t}]`);
} else {
  const width = Math.max(...names.map((n) => short(n).length));
  console.log('Import picture: each folder → the folders it imports (dependency-cruiser, .dependency-cruiser.cjs)\n');
  for (const n of names) {
    const to = [...graph.get(n)].sort().map(short);
    console.log(`  ${short(n).padEnd(width)}  → ${to.length ? to.join(', ') : '(nothing of ours)'}`);
  }
}

// 2. Cycles between folders (Tarjan's strongly connected components).
const cycles = [];
{
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const n of names) if (!index.has(n)) visit(n);
}
const out = mermaid ? console.error : console.log;
out(
  cycles.length === 0
    ? '\nFolder cycles: none'
    : `\nFolder cycles (each group imports itself through the others):\n${cycles.map((c) => `  ${c.map(short).join(' ⇄ ')}`).join('\n')}`,
);

// 3. The layer rules, file by file.
const rules = cruise(['-T', 'err']);
out(`\nLayer rules (.dependency-cruiser.cjs):\n  ${rules.out.trim() || 'no dependency violations'}`);
process.exit(cycles.length === 0 && rules.ok ? 0 : 1);
