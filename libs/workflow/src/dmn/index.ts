export * from './parse';
export * from './evaluate';
export * from './store';
