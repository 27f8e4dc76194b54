export * from './org.js';
export * from './accounts.js';
export * from './audit.js';
export * from './identity.js';
export * from './calendar.js';
export * from './procedures.js';
export * from './dossiers.js';
export * from './api.js';
