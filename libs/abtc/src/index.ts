export * from './abtc.module.js';
export * from './abtc.service.js';
export * from './abtc-personal-data.js';
export * from './card/card.handler.js';
export * from './errors.js';
export * from './officer/clearance.service.js';
export * from './settings.js';
export * from './validation.js';
