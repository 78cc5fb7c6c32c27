export * from './catalogue.module.js';
export * from './ports.js';
export * from './service-catalogue.js';
export * from './service-definition.js';
