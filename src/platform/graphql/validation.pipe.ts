import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError, badInput, type FieldProblem } from '../errors/app-error.js';

/**
 * Every problem class-validator found, one per field (its first failing constraint), depth first in the
 * order of the input: `field` is the path (`input.children[0].name`), `reason` the constraint's name
 * (`matches`, `isLength`, … — stable across languages), `message` names the field.
 */
export function allProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    if (constraints.length) {
      const [reason, msg] = constraints[0];
      out.push({ field, reason, message: msg.startsWith(e.property) ? `${field}${msg.slice(e.property.length)}` : `${field}: ${msg}` });
    }
    out.push(...allProblems(e.children ?? [], field));
  }
  return out;
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

/**
 * The BAD_USER_INPUT error for class-validator's findings: message and `field` of the first problem (as
 * always), and every problem in `fields` (API: `extensions.fields: [{ field, reason, message }]`).
 */
export function validationError(errors: ValidationError[]): AppError {
  const problems = allProblems(errors);
  const first = problems[0] ?? { field: 'input', reason: 'invalid', message: 'input is invalid' };
  const error = new AppError('BAD_USER_INPUT', first.message, first.field);
  error.fields = problems.length ? problems : [first];
  return error;
}

/** class-validator on every input; all failures become one BAD_USER_INPUT naming the first field and listing all. */
export const validationPipe = new KezekValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: validationError,
});
