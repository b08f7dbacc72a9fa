export * from './codec';
export * from './filter';
export * from './sort-cursor';
export * from './record-validator';
export * from './sequence';
export * from './records.service';
export * from './files.service';
