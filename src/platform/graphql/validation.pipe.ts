import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError, badInput } from '../errors/app-error.js';

function firstProblem(errors: ValidationError[], prefix = ''): { field: string; message: string } | null {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = Object.values(e.constraints ?? {});
    if (constraints.length) {
      const msg = constraints[0];
      return { field, message: msg.startsWith(e.property) ? `${field}${msg.slice(e.property.length)}` : `${field}: ${msg}` };
    }
    const nested = firstProblem(e.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/** Instances of our @InputType/@ArgsType classes (class-transformer output) are plain data too. */
function isInputInstance(value: object): boolean {
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name ?? '';
  return /(Input|Args)$/.test(ctor);
}

/** Path of the first string holding a NUL character (PostgreSQL text cannot store one), or null. */
export function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 10 || value === null || typeof value !== 'object') return null;
  // Only plain data (GraphQL arguments, input objects, arrays): never walk framework objects such as
  // the request inside @Context(), which would cost milliseconds on every field resolver.
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null && !isInputInstance(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = nulPath(value[i], `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const p = nulPath(v, `${path}.${k}`, depth + 1);
    if (p) return p;
  }
  return null;
}

function isResolveInfo(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'fieldNodes' in value && 'schema' in value && 'operation' in value;
}

/** Refuses NUL characters in any argument (naming the field), then runs class-validator. */
class KezekValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // @Info() is a plain object holding the whole schema and query: never user data, and costly to walk.
    if (isResolveInfo(value)) return Promise.resolve(value);
    const nul = nulPath(value, metadata.data ?? 'input');
    if (nul) throw badInput(nul, 'must not contain NUL characters');
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** class-validator on every input; the first failure becomes BAD_USER_INPUT naming the field. */
export const validationPipe = new KezekValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) => {
    const p = firstProblem(errors) ?? { field: 'input', message: 'input is invalid' };
    return new AppError('BAD_USER_INPUT', p.message, p.field);
  },
});
