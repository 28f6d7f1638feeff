export * from './paths';
export * from './json';
export * from './results';
export * from './answerCache';
