import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { ALMATY_OFFSET_ISO, ALMATY_OFFSET_MS } from '../clock/time-zone.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isRealDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const bad = (msg: string): GraphQLError => new GraphQLError(msg, { extensions: { code: 'BAD_USER_INPUT' } });

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isRealDate(value)) throw bad('Date must be a real date in YYYY-MM-DD form');
  return value;
}

/** Calendar date `YYYY-MM-DD`, carried as a string (no time-zone games). */
export const DateScalarType = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'Calendar date, YYYY-MM-DD',
  parseValue: parseDate,
  serialize(value: unknown): string {
    if (typeof value === 'string') return value.slice(0, 10);
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    throw new GraphQLError('Date cannot represent this value');
  },
  parseLiteral(ast: ValueNode): string {
    if (ast.kind !== Kind.STRING) throw bad('Date must be a string in YYYY-MM-DD form');
    return parseDate(ast.value);
  },
});

/** ISO-8601 in Asia/Almaty (UTC+5 all year), e.g. 2026-03-21T09:00:00.000+05:00. */
export function toAlmatyIso(d: Date): string {
  return new Date(d.getTime() + ALMATY_OFFSET_MS).toISOString().replace('Z', ALMATY_OFFSET_ISO);
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !DATETIME_RE.test(value) || !isRealDate(value.slice(0, 10))) {
    throw bad('DateTime must be ISO-8601 with an offset, e.g. 2026-09-01T09:00:00+05:00');
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw bad('DateTime is not a valid instant');
  return d;
}

/** Instant, ISO-8601 with offset; served in Asia/Almaty (+05:00). */
export const DateTimeScalarType = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'Instant, ISO-8601 with offset (served in Asia/Almaty, +05:00)',
  parseValue: parseDateTime,
  serialize(value: unknown): string {
    const d = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime cannot represent this value');
    return toAlmatyIso(d);
  },
  parseLiteral(ast: ValueNode): Date {
    if (ast.kind !== Kind.STRING) throw bad('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});
