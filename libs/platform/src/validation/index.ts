export * from './decorators.js';
export * from './form-body.js';
export * from './messages.js';
