export * from './refs';
export * from './plan';
export * from './validate-computed';
