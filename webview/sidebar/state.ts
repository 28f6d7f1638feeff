// The side panel's state: the last details, videos and jobs the extension sent, and the search,
// filter and sort the user set here. derive() gives what the views show from it. The state is what
// setState saves; its type lives in the protocol.
import type { DisplayedQuestion } from '../../src/shared/display';
import type { SidebarToWebview, SidebarWebviewState, SortKey, VideoRow } from '../../src/shared/protocols/sidebar';

export type { SidebarWebviewState as State, SortKey };

export function initialState(): SidebarWebviewState {
  return { version: 2, details: null, videos: [], jobs: [], agreement: null, search: '', filter: '', sort: 'name' };
}

export function restoreState(saved: SidebarWebviewState | undefined): SidebarWebviewState {
  return saved?.version === 2 ? { ...initialState(), ...saved } : initialState();
}

/** Applies one message from the extension; returns the part of the panel it changed. */
export function reduce(state: SidebarWebviewState, message: SidebarToWebview): 'details' | 'videos' | 'jobs' | 'agreement' {
  switch (message.method) {
    case 'sidebar/details':
      state.details = message.params;
      return 'details';
    case 'sidebar/videos':
      state.videos = message.params.rows;
      return 'videos';
    case 'sidebar/jobs':
      state.jobs = message.params.jobs;
      return 'jobs';
    case 'sidebar/agreement':
      state.agreement = message.params.agreement;
      return 'agreement';
  }
}

export function asSortKey(value: string): SortKey {
  return value === 'overall-asc' || value === 'overall-desc' || value === 'date' ? value : 'name';
}

export interface Derived {
  /** The current video's questions by entity, in the order they were asked. */
  byEntity: Map<string, DisplayedQuestion[]>;
  /** The scored videos that match the filter, sorted. */
  rows: VideoRow[];
}

export function derive(state: SidebarWebviewState): Derived {
  const byEntity = new Map<string, DisplayedQuestion[]>();
  for (const q of state.details?.displayed?.questions ?? []) {
    const list = byEntity.get(q.entity);
    if (list) list.push(q);
    else byEntity.set(q.entity, [q]);
  }
  const needle = state.filter.trim().toLowerCase();
  const rows = state.videos.filter(
    (r) => !needle || r.relPath.toLowerCase().includes(needle) || (r.model ?? '').toLowerCase().includes(needle),
  );
  rows.sort(comparator(state.sort));
  return { byEntity, rows };
}

function comparator(sort: SortKey): (a: VideoRow, b: VideoRow) => number {
  const byName = (a: VideoRow, b: VideoRow) => a.relPath.localeCompare(b.relPath, undefined, { numeric: true });
  // Unscored (null) rows sort last in both directions.
  const overall = (dir: 1 | -1) => (a: VideoRow, b: VideoRow) =>
    a.overall === null ? (b.overall === null ? byName(a, b) : 1) : b.overall === null ? -1 : (a.overall - b.overall) * dir || byName(a, b);
  switch (sort) {
    case 'overall-asc':
      return overall(1);
    case 'overall-desc':
      return overall(-1);
    case 'date':
      return (a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0) || byName(a, b);
    case 'name':
      return byName;
  }
}
