export * from './ranking.js';
