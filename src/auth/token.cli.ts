import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config/config.js';
import { resolveJwtSecret, signToken } from './jwt.js';
import { ROLES, type Role } from './principal.js';

/** `npm run token -- --role ADMIN [--org ID] [--iin IIN] [--sub NAME] [--hours 12]` prints a JWT. */
function main(): void {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      iin: { type: 'string' },
      sub: { type: 'string' },
      hours: { type: 'string' },
    },
  });
  const role = (values.role ?? '').toUpperCase() as Role;
  if (!ROLES.includes(role)) {
    process.stderr.write(`--role must be one of ${ROLES.join(', ')}\n`);
    process.exit(2);
  }
  if (role === 'ORG_STAFF' && !values.org) {
    process.stderr.write('--org ID is required for ORG_STAFF\n');
    process.exit(2);
  }
  if (role === 'APPLICANT' && !/^\d{12}$/.test(values.iin ?? '')) {
    process.stderr.write('--iin (12 digits) is required for APPLICANT\n');
    process.exit(2);
  }
  const config = loadConfig();
  const secret = resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR);
  const hours = Number(values.hours ?? 12);
  const token = signToken(
    secret,
    {
      sub: values.sub ?? `${role.toLowerCase()}-cli`,
      role,
      ...(role === 'ORG_STAFF' ? { organizationId: values.org } : {}),
      ...(role === 'APPLICANT' ? { iin: values.iin } : {}),
    },
    Math.round(hours * 3600),
  );
  process.stdout.write(`${token}\n`);
}

main();
