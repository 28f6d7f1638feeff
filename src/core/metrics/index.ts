export * from './correlation';
export * from './tie-calibration';
