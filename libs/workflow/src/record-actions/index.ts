export * from './evaluate';
export * from './record-actions.service';
