export * from './journey.js';
