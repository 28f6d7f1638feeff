// The ids of the FingER webviews, as package.json contributes them. Here, in a module without
// imports, so activation (extension.ts) can register the serializer and the view provider without
// loading the panels, zod or the engine; the classes expose them as their static `viewType`.
export const RESULTS_VIEW_TYPE = 'finger.results';
export const SIDEBAR_VIEW_TYPE = 'finger.sidebar';
export const COMPARE_VIEW_TYPE = 'finger.compare';
export const SIDE_BY_SIDE_VIEW_TYPE = 'finger.sideBySide';
