export * from './finger';
export * from './answers';
