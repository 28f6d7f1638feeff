// The GPU-free signals protocol (README.md, "Signals without a GPU").
export * from './thresholds';
export * from './schema';
export * from './parse';
export * from './detect';
export * from './analyze';
export * from './protocol';
