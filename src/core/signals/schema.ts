// What the signals protocol records per clip, beside the result's pseudo-questions. The schemas
// live in ../types.ts (the foundation every folder reads, so the result schema can hold them
// without types importing this folder); re-exported here for the signals code.
export {
  TimeRangeSchema,
  SignalOutcomeSchema,
  SignalsReportSchema,
  type TimeRange,
  type SignalOutcome,
  type SignalsReport,
} from '../types';
