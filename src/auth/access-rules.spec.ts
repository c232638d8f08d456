import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Mutation, Query, RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA, Resolver } from '@nestjs/graphql';
import { AppError } from '../platform/errors/app-error.js';
import { ACCESS_KEY, type AccessRule, Public, Roles } from './access.decorator.js';
import { AuthGuard, type RequestWithPrincipal } from './auth.guard.js';
import { ANONYMOUS, type Principal, ROLES } from './principal.js';

/**
 * Foundation, point 4: every GraphQL operation has an explicit access rule, and the global guard denies
 * anything without one. Reflection over the real resolvers: a new `@Query`/`@Mutation` without
 * `@Public()` or `@Roles(...)` (on the method or its class) fails this test.
 */

const SRC = fileURLToPath(new URL('..', import.meta.url));
const OPERATION_TYPES = ['Query', 'Mutation', 'Subscription'];

type Ctor = abstract new (...args: never[]) => unknown;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function isResolverClass(value: unknown): value is Ctor {
  return typeof value === 'function' && Reflect.getOwnMetadataKeys(value).includes(RESOLVER_NAME_METADATA);
}

/** Methods along the prototype chain (so a rule-less method of a base resolver is found too). */
function methodsOf(cls: Ctor): { name: string; fn: object }[] {
  const seen = new Set<string>();
  const out: { name: string; fn: object }[] = [];
  for (
    let proto: object | null = cls.prototype as object;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || seen.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof d?.value === 'function') {
        seen.add(name);
        out.push({ name, fn: d.value as object });
      }
    }
  }
  return out;
}

function isValidRule(rule: unknown): rule is AccessRule {
  if (rule === 'public') return true;
  return Array.isArray(rule) && rule.length > 0 && rule.every((r) => (ROLES as readonly unknown[]).includes(r));
}

interface Operation {
  file: string;
  resolver: string;
  method: string;
  type: string;
  rule: unknown;
}

const files = sourceFiles(SRC);

async function operations(): Promise<Operation[]> {
  const ops: Operation[] = [];
  for (const file of files.filter((f) => f.endsWith('.resolver.ts'))) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const cls of Object.values(mod).filter(isResolverClass)) {
      for (const { name, fn } of methodsOf(cls)) {
        const type: unknown = Reflect.getMetadata(RESOLVER_TYPE_METADATA, fn);
        if (typeof type !== 'string' || !OPERATION_TYPES.includes(type)) continue;
        ops.push({
          file: relative(SRC, file),
          resolver: cls.name,
          method: name,
          type,
          rule: Reflect.getMetadata(ACCESS_KEY, fn) ?? Reflect.getMetadata(ACCESS_KEY, cls),
        });
      }
    }
  }
  return ops;
}

describe('access rules on the real resolvers', () => {
  it('GraphQL operations are declared only in *.resolver.ts files (so the reflection below sees them all)', () => {
    const elsewhere = files.filter(
      (f) => !f.endsWith('.resolver.ts') && /@(Query|Mutation|Subscription|Resolver)\(/.test(readFileSync(f, 'utf8')),
    );
    expect(elsewhere.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('every Query, Mutation and Subscription has @Public() or @Roles(...) with known roles', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(5);
    expect(ops.map((o) => `${o.type}.${o.method}`)).toEqual(
      expect.arrayContaining(['Query.now', 'Query.priorityCategories', 'Mutation.createOrganization']),
    );
    const missing = ops
      .filter((o) => !isValidRule(o.rule))
      .map((o) => `${o.file}: ${o.resolver}.${o.method} (${o.type}) rule=${JSON.stringify(o.rule)}`);
    expect(missing).toEqual([]);
  });

  it('the operations that change things are not public', async () => {
    const publicMutations = (await operations()).filter((o) => o.type === 'Mutation' && o.rule === 'public');
    // Public mutations are allowed only on purpose; list them here when one is added.
    const allowed = [
      'answerProactiveOffer', // the applicant answers from their phone with the offer's one-time code
    ];
    expect(publicMutations.map((o) => o.method).filter((m) => !allowed.includes(m))).toEqual([]);
  });
});

// ---- the guard itself, on resolvers defined here (nothing is added to src) ----

@Resolver()
class Probe {
  @Query(() => String)
  noRule(): string {
    return 'x';
  }

  @Public()
  @Query(() => String)
  open(): string {
    return 'x';
  }

  @Roles('ADMIN')
  @Mutation(() => String)
  adminOnly(): string {
    return 'x';
  }
}

@Roles('ORG_STAFF')
@Resolver()
class StaffProbe {
  @Query(() => String)
  inherited(): string {
    return 'x';
  }

  @Public()
  @Query(() => String)
  overridden(): string {
    return 'x';
  }
}

function gqlContext(cls: Ctor, method: string, req: RequestWithPrincipal): ExecutionContextHost {
  const handler = (cls.prototype as Record<string, () => unknown>)[method];
  const ctx = new ExecutionContextHost([{}, {}, { req }, {}], cls as never, handler);
  ctx.setType('graphql');
  return ctx;
}

const admin: Principal = { kind: 'user', sub: 'a', role: 'ADMIN' };
const staff: Principal = { kind: 'user', sub: 's', role: 'ORG_STAFF', organizationId: 'o1' };
const applicant: Principal = { kind: 'user', sub: 'p', role: 'APPLICANT', iin: '000101500017' };

function outcome(cls: Ctor, method: string, req: RequestWithPrincipal): string {
  try {
    return new AuthGuard(new Reflector()).canActivate(gqlContext(cls, method, req)) ? 'ALLOWED' : 'DENIED';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

describe('AuthGuard (deny by default)', () => {
  it.each([
    ['a query without a rule, anonymous', 'FORBIDDEN', Probe, 'noRule', ANONYMOUS],
    ['a query without a rule, even for ADMIN', 'FORBIDDEN', Probe, 'noRule', admin],
    ['@Public(), anonymous', 'ALLOWED', Probe, 'open', ANONYMOUS],
    ['@Public(), any role', 'ALLOWED', Probe, 'open', applicant],
    ["@Roles('ADMIN'), anonymous", 'UNAUTHENTICATED', Probe, 'adminOnly', ANONYMOUS],
    ["@Roles('ADMIN'), ADMIN", 'ALLOWED', Probe, 'adminOnly', admin],
    ["@Roles('ADMIN'), APPLICANT", 'FORBIDDEN', Probe, 'adminOnly', applicant],
    ['class rule applies to its methods', 'ALLOWED', StaffProbe, 'inherited', staff],
    ['class rule denies other roles', 'FORBIDDEN', StaffProbe, 'inherited', admin],
    ['a method rule overrides the class rule', 'ALLOWED', StaffProbe, 'overridden', ANONYMOUS],
  ] as [string, string, Ctor, string, Principal][])('%s → %s', (_name, expected, cls, method, principal) => {
    expect(outcome(cls, method, { principal })).toBe(expected);
  });

  it('a bad token is UNAUTHENTICATED even on public operations', () => {
    expect(outcome(Probe, 'open', { principal: ANONYMOUS, authError: 'jwt malformed' })).toBe('UNAUTHENTICATED');
  });

  it('HTTP controllers are left to guard themselves', () => {
    const ctx = new ExecutionContextHost([{}, {}, () => undefined]);
    ctx.setType('http');
    expect(new AuthGuard(new Reflector()).canActivate(ctx)).toBe(true);
  });

  it('the guard is installed globally (APP_GUARD) by AuthModule', async () => {
    const { APP_GUARD } = await import('@nestjs/core');
    const { AuthModule } = await import('./auth.module.js');
    const providers = (Reflect.getMetadata('providers', AuthModule) ?? []) as unknown[];
    expect(providers).toContainEqual({ provide: APP_GUARD, useClass: AuthGuard });
  });
});
