/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the bytes a ledger event is hashed as (its Merkle leaf).
 *
 * - objects: members sorted by their names' UTF-16 code units, no whitespace; `undefined` members left out
 *   (as JSON.stringify does, so a value and its JSON round trip serialize the same);
 * - numbers: the ECMAScript Number-to-String form (RFC 8785 §3.2.2.3), `-0` as `0`; NaN and ±Infinity refused;
 * - strings: `"` `\\` and the control characters escaped (`\b \t \n \f \r`, others `\u00xx`), everything else
 *   as is; a lone surrogate is refused (not Unicode, so not I-JSON);
 * - only JSON values: anything else (a Date, a Map, a function, a bigint, `undefined` outside an object) is refused.
 *
 * Pure TypeScript, no I/O.
 */
export class JcsError extends Error {}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

function jcsString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new JcsError(`lone surrogate at ${i}`);
      out += s[i] + s[i + 1];
      i++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) throw new JcsError(`lone surrogate at ${i}`);
    const ch = s[i];
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function jcsNumber(n: number): string {
  if (!Number.isFinite(n)) throw new JcsError(`${n} is not a JSON number`);
  return Object.is(n, -0) ? '0' : String(n);
}

/** The canonical JSON text of `value` (RFC 8785). Throws {@link JcsError} on anything that is not JSON. */
export function jcs(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return jcsNumber(value);
    case 'string':
      return jcsString(value);
    case 'object':
      break;
    default:
      throw new JcsError(`${typeof value} is not a JSON value`);
  }
  if (Array.isArray(value)) return `[${value.map((v) => jcs(v)).join(',')}]`;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new JcsError('only plain objects are JSON objects');
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${jcsString(k)}:${jcs((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The canonical JSON of `value` as UTF-8 bytes. */
export function jcsBytes(value: unknown): Buffer {
  return Buffer.from(jcs(value), 'utf8');
}
