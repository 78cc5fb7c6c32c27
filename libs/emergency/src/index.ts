export * from './emergency-cipher.js';
export * from './emergency.module.js';
export * from './emergency.service.js';
export * from './entities/emergency-case.entity.js';
export * from './entities/emergency-contact.entity.js';
export * from './errors.js';
export * from './report.js';
export * from './settings.js';
