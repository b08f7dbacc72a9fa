export * from './password';
export * from './jwt';
export * from './ability';
export * from './sql-condition';
export * from './audit.service';
export * from './identity.service';
export * from './principal';
export * from './auth.service';
