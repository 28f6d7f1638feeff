// The FingER side panel: jobs in progress (with cancel), the details of the video in the active
// editor (dimension scores, then each entity's questions with answer, probability and reason,
// searchable), and every scored video of the workspace (sortable, filterable; a click opens its
// results panel). It renders what the extension sends (src/shared/protocols/sidebar.ts) through
// the state module and small views, and replays its last state when VS Code re-creates it.
import '../common/zod-csp';
import './elements';
import { sidebarProtocol, type SidebarToHost, type SidebarToWebview } from '../../src/shared/protocols/sidebar';
import { el } from '../common/dom';
import { WebviewHost } from '../common/host';
import { signalRendered } from '../common/rendered';
import { derive, reduce, restoreState, type State } from './state';
import { DetailsView } from './views/details';
import { AgreementView } from './views/agreement';
import { JobsView } from './views/jobs';
import { VideosView } from './views/videos';

const host = new WebviewHost<SidebarToWebview, SidebarToHost, State>(sidebarProtocol, onMessage);
const state: State = restoreState(host.getState());
const openResults = (relPath: string) => host.post('sidebar/openResults', { relPath });

const jobs = new JobsView((id) => host.post('sidebar/cancelJob', { id }));
const details = new DetailsView(openResults, (text) => {
  state.search = text;
  details.applySearch(text);
  save();
});
const videos = new VideosView({
  openResults,
  filter: (text) => {
    state.filter = text;
    videos.render(state, derive(state));
    save();
  },
  sort: (key) => {
    state.sort = key;
    videos.render(state, derive(state));
    save();
  },
});

const root = document.getElementById('root') ?? document.body.appendChild(el('div', { attrs: { id: 'root' } }));
const agreement = new AgreementView();

root.replaceChildren(jobs.element, details.element, videos.element, agreement.element);

function onMessage(message: SidebarToWebview): void {
  const part = reduce(state, message);
  if (part === 'details') details.render(state, derive(state));
  else if (part === 'videos') videos.render(state, derive(state));
  else if (part === 'agreement') agreement.render(state.agreement);
  else jobs.render(state.jobs);
  save();
  signalRendered('full');
}

function save(): void {
  host.setState(state);
}

// ─── Start: replay the last state, then ask for fresh data ─────────────────────────────────────

const derived = derive(state);
jobs.render(state.jobs);
details.render(state, derived);
videos.render(state, derived);
agreement.render(state.agreement);
signalRendered('full');
host.ready();
