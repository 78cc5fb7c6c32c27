export * from './errors.js';
export * from './passports.module.js';
export * from './passports.service.js';
export * from './passports-personal-data.js';
export * from './officer/passport-fulfilment.service.js';
export * from './photo.js';
export * from './settings.js';
export * from './validation.js';
