// The import picture of the repository and the layer rules it must keep (docs/ARCHITECTURE.md,
// "Layers"). `npm run imports` prints the folder-level graph and fails on a cycle or a forbidden
// arrow; `npm run imports -- -T text` lists every file-level edge instead.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that cannot be understood, tested or loaded one without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-without-vscode',
      severity: 'error',
      comment: 'The engine runs in plain Node (the CLI, the tests): src/core never imports the VS Code API.',
      from: { path: '^src/core/' },
      to: { path: '^vscode$' },
    },
    {
      name: 'core-below-its-shells',
      severity: 'error',
      comment: 'The extension, the CLI and the webviews are shells over the engine; the engine knows none of them.',
      from: { path: '^src/core/' },
      to: { path: '^(src/(extension|cli)|webview)/' },
    },
    {
      name: 'cli-and-extension-apart',
      severity: 'error',
      comment: 'The CLI and the extension are two shells over the same engine; neither reaches into the other.',
      from: { path: '^src/(cli|extension)/' },
      to: { path: '^src/(cli|extension)/', pathNot: '^src/$1/' },
    },
    {
      name: 'webview-only-shared',
      severity: 'error',
      comment: 'The webviews run in a browser sandbox: they import only src/shared (and each other), never the engine or the extension.',
      from: { path: '^webview/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'shared-below-the-shells',
      severity: 'error',
      comment: 'src/shared is what both sides of a webview connection agree on; it knows neither side.',
      from: { path: '^src/shared/' },
      to: { path: '^(src/(extension|cli)|webview)/' },
    },
    {
      name: 'core-foundations-stay-down',
      severity: 'error',
      comment:
        'Templates, prompts, the store, video, the endpoint client, the scoring maths and the JSON helpers are below question ' +
        'generation, judging, the protocols, the engine and the pipeline: an arrow from them up to those runs against the data flow.',
      from: { path: '^src/core/(templates|prompts|store|video|endpoint|scoring|metrics|json)/' },
      to: { path: '^src/core/(questions|judge|protocols|engine|pipeline)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|out|test-output|\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Only the arrows between our own modules make the picture.
    includeOnly: { path: '^(src|webview)/|^vscode$' },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
