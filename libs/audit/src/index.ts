export * from './audit-actor.js';
export * from './audit-browser.js';
export * from './audit-chain.js';
export * from './audit-log.service.js';
export * from './audit-record.entity.js';
export * from './audit.module.js';
