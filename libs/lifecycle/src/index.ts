export * from './lifecycle.module.js';
export * from './orphan-files.service.js';
export * from './retention.service.js';
export * from './subject-access.dto.js';
export * from './subject-access.service.js';
