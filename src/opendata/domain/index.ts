export * from './csv.js';
export * from './pseudonym.js';
export * from './rows.js';
