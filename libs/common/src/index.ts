export * from './errors';
export * from './clock';
export * from './config';
export * from './business-duration';
export * from './db';
