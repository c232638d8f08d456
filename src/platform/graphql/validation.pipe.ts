import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';

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

/** class-validator on every input; the first failure becomes BAD_USER_INPUT naming the field. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) => {
    const p = firstProblem(errors) ?? { field: 'input', message: 'input is invalid' };
    return new AppError('BAD_USER_INPUT', p.message, p.field);
  },
});
