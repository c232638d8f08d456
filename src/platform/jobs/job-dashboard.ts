import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, Response } from 'express';
import { QueueName } from './job-names.js';
import type { JobsService } from './jobs.service.js';

/**
 * @bull-board/express 9.10.1 (its newest) carries its own copy of @bull-board/api 9.10.1, whose classes
 * TypeScript sees as distinct from those of the api 9.10.2 we run (same shapes; 9.10.2 caps page sizes).
 */
type ServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

export const JOB_DASHBOARD_PATH = '/admin/queues';
export const JOB_DASHBOARD_COOKIE = 'kezek_admin';

/**
 * Who may open the dashboard, decided by the auth module (platform knows no roles or tokens): throws
 * when the token is invalid or expired (401), else whether its holder may open it (403 when not).
 */
export type DashboardAuthorizer = (token: string) => 'allowed' | 'forbidden';

type Credential = { token: string; from: 'header' | 'query' | 'cookie' } | { error: string } | null;

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Bearer header first, then `?token=` (a browser's first visit), then the cookie that visit set. */
function credential(req: Request): Credential {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? { token: m[1], from: 'header' } : { error: 'Authorization header must be "Bearer <token>"' };
  }
  const q = req.query.token;
  if (typeof q === 'string' && q) return { token: q, from: 'query' };
  const c = cookie(req, JOB_DASHBOARD_COOKIE);
  return c ? { token: c, from: 'cookie' } : null;
}

function deny(res: Response, status: 401 | 403, message: string): void {
  res.status(status);
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="kezek-admin"');
  res.type('text/plain').send(`${message}\n`);
}

/**
 * ADMIN only (`authorize` comes from src/auth/job-dashboard-access.ts). A browser opens
 * `/admin/queues?token=<ADMIN JWT>` once: the token moves into an HttpOnly, SameSite=Strict cookie scoped
 * to the dashboard (so its scripts and API calls carry it, and no other site can), and the browser is
 * redirected to the same page without the token in the URL. Scripts use `Authorization: Bearer`. The
 * token is verified on every request (expiry included).
 */
export function dashboardAuth(authorize: DashboardAuthorizer): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const cred = credential(req);
    if (!cred) return deny(res, 401, `ADMIN token required: Authorization: Bearer <token>, or open ${JOB_DASHBOARD_PATH}?token=<token>`);
    if ('error' in cred) return deny(res, 401, cred.error);
    let access: 'allowed' | 'forbidden';
    try {
      access = authorize(cred.token);
    } catch (e) {
      if (cred.from === 'cookie') res.clearCookie(JOB_DASHBOARD_COOKIE, { path: JOB_DASHBOARD_PATH });
      return deny(res, 401, `invalid token: ${(e as Error).message}`);
    }
    if (access !== 'allowed') return deny(res, 403, 'the job dashboard is for ADMIN only');
    if (cred.from === 'query') {
      res.cookie(JOB_DASHBOARD_COOKIE, cred.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure,
        path: JOB_DASHBOARD_PATH,
      });
      const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
      params.delete('token');
      const rest = params.toString();
      res.redirect(303, `${req.originalUrl.split('?')[0]}${rest ? `?${rest}` : ''}`);
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

/**
 * bull-board at /admin/queues over every job queue (Redis or BullMQ's PostgreSQL backend; the
 * adapter of @bull-board/api 9.10 handles both). Mounted on the API process only.
 */
export function mountJobDashboard(http: Express, jobs: JobsService, authorize: DashboardAuthorizer): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(JOB_DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(jobs.queue(name))),
    serverAdapter: serverAdapter as unknown as ServerAdapter,
    options: { uiConfig: { boardTitle: 'Kezek jobs' } },
  });
  http.use(JOB_DASHBOARD_PATH, dashboardAuth(authorize), serverAdapter.getRouter() as Express);
}
