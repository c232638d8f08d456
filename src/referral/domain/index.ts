export * from './eligibility.js';
export * from './allocate.js';
export * from './referral-state.js';
