import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config/config.js';
import { resolveJwtSecret } from '../platform/config/jwt-secret.js';
import { signToken, tokenPolicy } from './jwt.js';
import { ROLES, type Role } from './principal.js';

export interface CommandResult {
  /** 0 done, 2 usage error. */
  code: 0 | 2;
  stdout?: string;
  stderr?: string;
}

export const TOKEN_USAGE = '--role ADMIN|ORG_STAFF|APPLICANT [--org ID] [--iin IIN] [--sub NAME] [--hours 12]';

/**
 * Signs a JWT for local use (`npm run token`, `npm run kezek -- token`): the secret is JWT_SECRET, or
 * the one generated under DATA_DIR. Throws ConfigError on bad configuration.
 */
export function tokenCommand(args: string[], env: NodeJS.ProcessEnv = process.env): CommandResult {
  let values: { role?: string; org?: string; iin?: string; sub?: string; hours?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        role: { type: 'string' },
        org: { type: 'string' },
        iin: { type: 'string' },
        sub: { type: 'string' },
        hours: { type: 'string' },
      },
    }));
  } catch (e) {
    return { code: 2, stderr: `${(e as Error).message}\nusage: ${TOKEN_USAGE}\n` };
  }
  const role = (values.role ?? '').toUpperCase() as Role;
  if (!ROLES.includes(role)) return { code: 2, stderr: `--role must be one of ${ROLES.join(', ')}\n` };
  if (role === 'ORG_STAFF' && !values.org) return { code: 2, stderr: '--org ID is required for ORG_STAFF\n' };
  if (role === 'APPLICANT' && !/^\d{12}$/.test(values.iin ?? '')) {
    return { code: 2, stderr: '--iin (12 digits) is required for APPLICANT\n' };
  }
  const hours = Number(values.hours ?? 12);
  if (!Number.isFinite(hours) || hours <= 0) return { code: 2, stderr: '--hours must be a positive number\n' };
  const config = loadConfig(env);
  if (hours > config.JWT_MAX_LIFETIME_HOURS) {
    return { code: 2, stderr: `--hours must be at most ${config.JWT_MAX_LIFETIME_HOURS} (JWT_MAX_LIFETIME_HOURS)\n` };
  }
  const secret = resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR);
  const token = signToken(
    secret,
    {
      sub: values.sub ?? `${role.toLowerCase()}-cli`,
      role,
      ...(role === 'ORG_STAFF' ? { organizationId: values.org } : {}),
      ...(role === 'APPLICANT' ? { iin: values.iin } : {}),
    },
    Math.round(hours * 3600),
    tokenPolicy(config),
  );
  return { code: 0, stdout: `${token}\n` };
}
