// The results webview's state: what the extension sent (the last `results/show`, patched by live
// answers) and what the user set here (filters, dismissed banners). Messages go through reduce();
// everything the views need beyond that comes from derive(), so no second copy is kept in step.
// The state is what setState saves; its type lives in the protocol, where the panel serializer
// reads the video back after a window reload.
import { NOTHING_DISPLAYED, type DisplayedResult } from '../../src/shared/display';
import type { ResultsToWebview, ResultsWebviewState, TableFilters } from '../../src/shared/protocols/results';

export type { ResultsWebviewState as State, TableFilters };

export const NO_FILTERS: TableFilters = { failingOnly: false, dimension: '', entity: '', text: '' };

export function initialState(): ResultsWebviewState {
  return { version: 2, show: null, filters: NO_FILTERS, changes: null, error: null, progress: null };
}

/** The state saved before a reload, when it is of this version. */
export function restoreState(saved: ResultsWebviewState | undefined): ResultsWebviewState {
  return saved?.version === 2 ? { ...initialState(), ...saved } : initialState();
}

/** What a message changed, so main.ts re-renders only that. */
export type Change = 'all' | { answer: string } | 'progress' | 'banners';

/** Applies one message from the extension. */
export function reduce(state: ResultsWebviewState, message: ResultsToWebview): Change {
  switch (message.method) {
    case 'results/show':
      state.show = message.params;
      state.progress = null;
      state.error = null;
      return 'all';
    case 'results/answer': {
      const show = state.show;
      if (!show) return 'progress';
      const { question, scores } = message.params;
      const at = derive(state).questionIndex.get(question.id);
      const questions = [...show.displayed.questions];
      if (at === undefined) questions.push(question);
      else questions[at] = question;
      state.show = { ...show, displayed: { ...scores, questions } };
      return at === undefined ? 'all' : { answer: question.id };
    }
    case 'results/progress':
      state.progress = message.params;
      return 'progress';
    case 'results/questionsChanged':
      state.changes = message.params;
      return 'banners';
    case 'results/error':
      state.error = message.params;
      return 'banners';
  }
}

export interface Derived {
  displayed: DisplayedResult;
  /** Position of each question id in displayed.questions. */
  questionIndex: Map<string, number>;
  /** The entities asked about, sorted for the filter. */
  entities: string[];
}

let memo: { displayed: DisplayedResult; derived: Derived } | undefined;

/** Everything computed from the state; recomputed only when the displayed result changed. */
export function derive(state: ResultsWebviewState): Derived {
  const displayed = state.show?.displayed ?? NOTHING_DISPLAYED;
  if (memo?.displayed === displayed) return memo.derived;
  const questionIndex = new Map(displayed.questions.map((q, i) => [q.id, i]));
  // Not localeCompare: its first use in a webview process initialises an ICU collator (~15 ms).
  const entities = [...new Set(displayed.questions.map((q) => q.entity))].sort(byCaseInsensitive);
  const derived = { displayed, questionIndex, entities };
  memo = { displayed, derived };
  return derived;
}

function byCaseInsensitive(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
