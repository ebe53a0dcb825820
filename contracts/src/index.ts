export * from './auth.ts';
export * from './common.ts';
export * from './directory.ts';
export * from './establishments.ts';
export * from './imports.ts';
export * from './school-years.ts';
export * from './services.ts';
