export * from './audit-event.js';
export * from './fairness-audit.js';
export * from './report-text.js';
