export * from './finger';
