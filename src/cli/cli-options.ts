import { parseArgs } from 'node:util';

/** Option tables and checks of the `kezek` commands: light (no Nest), so `help` and `token` start at once. */

export class UsageError extends Error {}

export type Options = Record<string, string | boolean | undefined>;

export const DATABASE_COMMANDS = ['allocate', 'bulletin', 'catch-up', 'verify-ledger', 'export', 'status', 'settings'] as const;
export type CommandName = (typeof DATABASE_COMMANDS)[number];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function realDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

interface Spec {
  options: Record<string, { type: 'string' | 'boolean' }>;
  /** Positional arguments allowed (handed over as `o._`, joined by NUL); none when absent. */
  positionals?: boolean;
  check?(o: Options, positionals: string[]): void;
}

/** The positional arguments of a command that takes them (`settings set KEY VALUE`). */
export function positionalsOf(o: Options): string[] {
  return typeof o._ === 'string' && o._ ? o._.split('\u0000') : [];
}

const SPECS: Record<CommandName, Spec> = {
  allocate: { options: {} },
  bulletin: {
    options: { date: { type: 'string' } },
    check(o) {
      if (typeof o.date !== 'string' || !realDate(o.date)) throw new UsageError('bulletin: --date YYYY-MM-DD (a real date) is required');
    },
  },
  'catch-up': { options: {} },
  'verify-ledger': { options: {} },
  status: { options: {} },
  settings: {
    options: { from: { type: 'string' } },
    positionals: true,
    check(o, p) {
      if (p[0] === 'list') {
        if (p.length > 1) throw new UsageError(`settings list: unexpected argument: ${p[1]}`);
        if (o.from !== undefined) throw new UsageError('settings list: --from is only for settings set');
        return;
      }
      if (p[0] !== 'set') throw new UsageError('settings: list | set KEY VALUE [--from YYYY-MM-DD]');
      if (p.length !== 3) throw new UsageError('settings set: KEY and VALUE (JSON, e.g. 5 or "text") are required');
      if (o.from !== undefined && (typeof o.from !== 'string' || !realDate(o.from))) {
        throw new UsageError('settings set: --from must be a real date YYYY-MM-DD');
      }
    },
  },
  export: {
    options: { out: { type: 'string' }, date: { type: 'string' } },
    check(o) {
      if (typeof o.out !== 'string' || !o.out) throw new UsageError('export: --out DIR is required');
      if (o.date !== undefined && (typeof o.date !== 'string' || !realDate(o.date))) {
        throw new UsageError('export: --date must be a real date YYYY-MM-DD');
      }
    },
  },
};

export function isDatabaseCommand(name: string): name is CommandName {
  return (DATABASE_COMMANDS as readonly string[]).includes(name);
}

/** Strict parse of a command's options (plus --json and --verbose); throws UsageError. */
export function parseCommand(name: CommandName, args: string[]): Options {
  const spec = SPECS[name];
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...spec.options, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
      allowPositionals: true,
    });
    if (positionals.length && !spec.positionals) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    spec.check?.(values, positionals);
    return spec.positionals ? { ...values, _: positionals.join('\u0000') } : values;
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}
