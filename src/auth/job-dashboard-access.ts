import type { DashboardAuthorizer } from '../platform/jobs/job-dashboard.js';
import { verifyToken, type TokenPolicy } from './jwt.js';
import { isAdmin } from './principal.js';

/** The job dashboard (src/platform/jobs/job-dashboard.ts) is for ADMIN only: a valid ADMIN token opens it. */
export function jobDashboardAccess(secret: string, policy: TokenPolicy = {}): DashboardAuthorizer {
  return (token) => (isAdmin(verifyToken(secret, token, policy)) ? 'allowed' : 'forbidden');
}
