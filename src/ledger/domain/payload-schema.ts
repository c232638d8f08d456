/**
 * Checks of the JSON payloads of ledger events: a handful of builders, each a {@link Schema} that accepts
 * exactly the JSON values it describes and says what is wrong otherwise. Payloads are small flat objects
 * of strings, numbers, booleans, nulls and string lists, so a few dozen lines do what a schema library
 * would (no dependency).
 *
 * `Schema<T>` is covariant in T: a schema of `'BOOKED' | 'OFFERED'` is a schema of `string`. That is what
 * lets a kind's payload *type* (what call sites pass, e.g. `string` for a status) be wider than its
 * *schema* (what is accepted at run time), never the other way round: {@link object} asks, field by field,
 * for a schema whose values fit the declared type.
 *
 * Pure TypeScript: no I/O.
 */
import { isIsoDate } from '../../calendar/domain/almaty-time.js';

export interface Schema<T> {
  /** What a valid value is, for messages ("an ISO-8601 instant"). */
  readonly expected: string;
  /** As an object field: may the key be absent? */
  readonly optional: boolean;
  /** Null when `value` is valid; else what is wrong with it, naming `path`. */
  problem(value: unknown, path: string): string | null;
  /** Type only (never set): the type of a valid value. */
  readonly _valid?: T;
}

/** The keys of a type, of every member when it is a union. */
export type KeysOf<T> = T extends unknown ? keyof T : never;

const shown = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function schema<T>(expected: string, valid: (v: unknown) => boolean): Schema<T> {
  return {
    expected,
    optional: false,
    problem: (v, path) => (valid(v) ? null : `${path}: expected ${expected}, got ${shown(v)}`),
  };
}

/** Any string. */
export const str: Schema<string> = schema('a string', (v) => typeof v === 'string');
/** A string with at least one non-blank character (ids, reasons, codes). */
export const text: Schema<string> = schema('a non-empty string', (v) => typeof v === 'string' && v.trim() !== '');
/** A safe integer. */
export const int: Schema<number> = schema('an integer', (v) => Number.isSafeInteger(v));
export const bool: Schema<boolean> = schema('a boolean', (v) => typeof v === 'boolean');
/** Only null (a field a shape always writes as null). */
export const nil: Schema<null> = schema('null', (v) => v === null);

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** An instant as `Date.prototype.toISOString()` writes it (UTC, milliseconds). */
export const instant: Schema<string> = schema(
  'an ISO-8601 instant (toISOString)',
  (v) => typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
);
/** A real calendar date YYYY-MM-DD. */
export const day: Schema<string> = schema(
  'a date YYYY-MM-DD',
  (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && isIsoDate(v),
);

/** One of the given strings, numbers or booleans. */
export function oneOf<const V extends string | number | boolean>(...values: readonly V[]): Schema<V> {
  return schema(`one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, (v) => (values as readonly unknown[]).includes(v));
}

export function nullable<T>(s: Schema<T>): Schema<T | null> {
  return {
    expected: `${s.expected} or null`,
    optional: s.optional,
    problem: (v, path) => (v === null ? null : s.problem(v, path)),
  };
}

/** As an object field: the key may be absent (JSON has no undefined; `{ k: undefined }` is stored without k). */
export function optional<T>(s: Schema<T>): Schema<T | undefined> {
  return { expected: s.expected, optional: true, problem: (v, path) => s.problem(v, path) };
}

export function list<T>(item: Schema<T>): Schema<readonly T[]> {
  return {
    expected: `a list of ${item.expected}`,
    optional: false,
    problem: (v, path) => {
      if (!Array.isArray(v)) return `${path}: expected a list of ${item.expected}, got ${shown(v)}`;
      for (let i = 0; i < v.length; i++) {
        const p = item.problem(v[i], `${path}[${i}]`);
        if (p) return p;
      }
      return null;
    },
  };
}

/** A schema for every key of T (optional keys: {@link optional}), each accepting only values of that key's type. */
export type Fields<T> = { readonly [K in keyof T]-?: Schema<T[K]> };

/** An object with exactly these keys: a missing key (not optional) or any other key is refused. */
export function object<T extends object>(fields: Fields<T>): Schema<T> {
  const entries = Object.entries(fields) as [string, Schema<unknown>][];
  const known = new Set(entries.map(([k]) => k));
  const expected = `an object {${entries.map(([k, s]) => `${k}${s.optional ? '?' : ''}`).join(', ')}}`;
  return {
    expected,
    optional: false,
    problem: (v, path) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${path}: expected ${expected}, got ${shown(v)}`;
      const o = v as Record<string, unknown>;
      for (const [k, s] of entries) {
        if (!(k in o)) {
          if (s.optional) continue;
          return `${path}.${k}: missing (expected ${s.expected})`;
        }
        const p = s.problem(o[k], `${path}.${k}`);
        if (p) return p;
      }
      for (const k of Object.keys(o)) if (!known.has(k)) return `${path}.${k}: not a field of this payload`;
      return null;
    },
  };
}

/** A value valid under any of the schemas (payloads written in two shapes). */
export function anyOf<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  return {
    expected: `${a.expected} or ${b.expected}`,
    optional: false,
    problem: (v, path) => {
      const pa = a.problem(v, path);
      if (!pa) return null;
      const pb = b.problem(v, path);
      return pb ? `${path}: matches no shape of this payload (${pa}; ${pb})` : null;
    },
  };
}
