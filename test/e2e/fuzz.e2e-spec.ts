import fc from 'fast-check';
import { makeBin, makeIin } from '../../src/platform/identifiers/iin.js';
import { createTestApp, ok, type GqlResult, type TestApp } from '../utils/app.js';
import { changed, snapshot, tableNames, type DbSnapshot } from '../utils/db-snapshot.js';
import { createOrg, publish, register } from '../utils/fixtures.js';

/**
 * Every mutation of the live schema, with arguments from fast-check: wrong types, huge strings,
 * unicode and emoji, negative and overflowing numbers, impossible dates, SQL and script fragments,
 * mixed with valid values (so that calls get past the first check). Sent as variables, as ADMIN (so
 * that role gates do not mask validation). Every answer must be a well-formed GraphQL error with a
 * known code (or a success), a rejected call must change nothing, and the server must stay up.
 */

const KNOWN_CODES = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND', 'CONFLICT']);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface InputValue {
  name: string;
  type: TypeRef;
  defaultValue: string | null;
}
interface Field {
  name: string;
  args: InputValue[];
  type: TypeRef;
}
interface FullType {
  name: string;
  kind: string;
  enumValues: { name: string }[] | null;
  inputFields: InputValue[] | null;
}

const TYPE_REF = `kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;
const INTROSPECT = `{
  __schema {
    mutationType { fields { name args { name defaultValue type { ${TYPE_REF} } } type { ${TYPE_REF} } } }
    types { name kind enumValues { name } inputFields { name defaultValue type { ${TYPE_REF} } } }
  }
}`;

const typeString = (t: TypeRef): string =>
  t.kind === 'NON_NULL' ? `${typeString(t.ofType!)}!` : t.kind === 'LIST' ? `[${typeString(t.ofType!)}]` : t.name!;
const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);

/** A generated value, and whether it is one the server must refuse (wrong type, impossible value, …). */
interface Gen {
  v: unknown;
  bad: boolean;
  /** What made it bad (for the report). */
  why?: string;
}
const good = (v: unknown): Gen => ({ v, bad: false });
const bad = (v: unknown, why: string): Gen => ({ v, bad: true, why });
const OMIT = Symbol('omit');

const HUGE = 'x'.repeat(100_000);
/** Text that free-text fields may accept and constrained fields must refuse; never an error 500. */
const nasty = fc.constantFrom(
  "'; DROP TABLE application; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '👶🏻👨‍👩‍👧‍👦🇰🇿',
  'Әлихан Ұлықбек Қайратұлы',
  'Алексей Иванов',
  '\u202Eevil\u202C',
  '\ud800',
  '   ',
  '',
  'NaN',
  '1e308',
  '-1',
  '%s%n%x',
  '${jndi:ldap://x}',
  '../../etc/passwd',
);
/** Far longer than any field allows: every field must refuse it. */
const huge = fc.constantFrom(HUGE, '😀'.repeat(20_000), `${'Ә'.repeat(50_000)}`);
/** PostgreSQL text cannot hold NUL: every field must refuse it (BAD_USER_INPUT), never fail with a 500. */
const nul = fc.constantFrom('\u0000', 'a\u0000b', `${'x'.repeat(50)}\u0000`);
const wrongType = fc.constantFrom<unknown>(42, -1, 1.5, true, false, { a: 1 }, [1, 2], 1e308);
const intEvil = fc.constantFrom<unknown>(2 ** 31, -(2 ** 31) - 1, 1e308, -1e308, 1.5, 'NaN', '12', Number.MAX_SAFE_INTEGER + 2, true, 'x');
const dateEvil = fc.constantFrom<unknown>(
  '2026-02-30',
  '0000-00-00',
  '2026-13-01',
  '2026-9-1',
  '20260901',
  '2026-09-01T00:00:00',
  '2026-09-01T00:00:00+05:00',
  '',
  'yesterday',
  20260901,
  '9999-99-99',
  '+275760-09-13',
);
const dateTimeEvil = fc.constantFrom<unknown>(
  '2026-09-01T10:00:00', // no offset
  '2026-02-30T00:00:00+05:00',
  '0000-00-00T00:00:00Z',
  '2026-09-01T25:61:00+05:00',
  '2026-09-01',
  'NaN',
  1e308,
  '+275760-09-13T00:00:00.000Z',
  '',
);

/** Valid-looking values by argument / field name, so that calls reach past the first check. */
function plausible(name: string, scalar: string, pools: Pools): fc.Arbitrary<unknown> {
  const n = name.toLowerCase();
  if (n === 'childiin') return fc.integer({ min: 1, max: 9000 }).map((s) => makeIin('2024-02-02', s % 2 ? 'M' : 'F', s));
  if (n === 'applicantiin') return fc.integer({ min: 1, max: 9000 }).map((s) => makeIin('1991-07-07', 'F', s));
  if (n === 'phone') return fc.constantFrom('+77011234567', '87011234567', '7011234567', '+7 701 123 45 67');
  if (n === 'locality') return fc.constantFrom('751110000', '711110000');
  if (n === 'bin') return fc.integer({ min: 1, max: 9000 }).map((s) => makeBin('2010', s));
  if (n === 'language') return fc.constantFrom('KK', 'RU');
  if (n === 'notificationlanguage') return fc.constantFrom('kk', 'ru');
  if (n === 'organizationid' || n === 'organizationids') return fc.constantFrom(...pools.organizations);
  if (n === 'applicationid' || n === 'siblingsof') return fc.constantFrom(...pools.applications, ...pools.random);
  if (n === 'vacancyid') return fc.constantFrom(...pools.vacancies, ...pools.random);
  if (n === 'date' || n === 'on' || n === 'until' || scalar === 'Date') return fc.constantFrom('2026-09-01', '2026-12-31', '2027-03-22');
  if (n === 'category') return fc.constantFrom(...pools.categories);
  if (scalar === 'ID') return fc.constantFrom(...pools.applications, ...pools.vacancies, ...pools.organizations, ...pools.random);
  if (scalar === 'Int') return fc.integer({ min: 0, max: 72 });
  if (scalar === 'Boolean') return fc.boolean();
  if (scalar === 'DateTime') return fc.constantFrom('2026-09-01T09:00:00+05:00', '2030-01-01T00:00:00Z');
  return fc.constantFrom('Test', 'KK', 'reason', 'Middle');
}

interface Pools {
  organizations: string[];
  applications: string[];
  vacancies: string[];
  random: string[];
  categories: string[];
}

class ArgGen {
  constructor(
    private readonly types: Map<string, FullType>,
    private readonly pools: Pools,
  ) {}

  /** A value for `type` at `name` (an argument or input field). */
  value(type: TypeRef, name: string, depth = 0): fc.Arbitrary<Gen> {
    if (type.kind === 'NON_NULL') {
      return fc.oneof(
        { weight: 12, arbitrary: this.value(type.ofType!, name, depth) },
        { weight: 1, arbitrary: fc.constant(bad(null, `null for ${name}`)) },
      );
    }
    const nullable = this.nonNull(type, name, depth);
    return fc.oneof({ weight: 8, arbitrary: nullable }, { weight: 1, arbitrary: fc.constant(good(null)) });
  }

  private nonNull(type: TypeRef, name: string, depth: number): fc.Arbitrary<Gen> {
    if (type.kind === 'LIST') {
      return fc.array(this.value(type.ofType!, name, depth + 1), { minLength: 0, maxLength: 3 }).map((items) => {
        const b = items.find((i) => i.bad);
        return { v: items.map((i) => i.v), bad: !!b, why: b?.why };
      });
    }
    const t = this.types.get(type.name!)!;
    if (t.kind === 'ENUM') {
      const values = t.enumValues!.map((e) => e.name);
      return fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...values).map(good) },
        {
          weight: 1,
          arbitrary: fc.constantFrom<unknown>('NOPE', values[0].toLowerCase(), 0, '').map((v) => bad(v, `enum ${t.name}: ${String(v)}`)),
        },
      );
    }
    if (t.kind === 'INPUT_OBJECT') return this.inputObject(t, name, depth);
    return this.scalar(t.name, name);
  }

  private inputObject(t: FullType, name: string, depth: number): fc.Arbitrary<Gen> {
    const fields = t.inputFields!;
    const record = fc
      .tuple(
        ...fields.map((f) => {
          const optional = f.type.kind !== 'NON_NULL' || f.defaultValue !== null;
          const gen = this.value(f.type, f.name, depth + 1);
          const missing = optional ? good(OMIT) : bad(OMIT, `${t.name}.${f.name} missing`);
          return fc.oneof({ weight: 10, arbitrary: gen }, { weight: 1, arbitrary: fc.constant(missing) });
        }),
      )
      .map((gens) => {
        const obj: Record<string, unknown> = {};
        gens.forEach((g, i) => {
          if (g.v !== OMIT) obj[fields[i].name] = g.v;
        });
        const b = gens.find((g) => g.bad);
        return { v: obj, bad: !!b, why: b?.why };
      });
    return fc.oneof(
      { weight: 10, arbitrary: record },
      { weight: 1, arbitrary: record.map((g) => bad({ ...(g.v as object), unknownField: 'x' }, `${t.name}.unknownField`)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>('not an object', 7, []).map((v) => bad(v, `${name}: ${JSON.stringify(v)} for ${t.name}`)),
      },
    );
  }

  private scalar(scalar: string, name: string): fc.Arbitrary<Gen> {
    const valid = plausible(name, scalar, this.pools).map(good);
    const mark =
      (why: string) =>
      (v: unknown): Gen =>
        bad(v, `${name}: ${why} ${JSON.stringify(v)?.slice(0, 40)}`);
    switch (scalar) {
      case 'Int':
        return fc.oneof(
          { weight: 3, arbitrary: valid },
          { weight: 1, arbitrary: fc.integer({ min: -1000, max: -1 }).map(good) },
          { weight: 2, arbitrary: intEvil.map(mark('int')) },
        );
      case 'Boolean':
        return fc.oneof(
          { weight: 3, arbitrary: valid },
          { weight: 1, arbitrary: fc.constantFrom<unknown>('true', 1, 0, 'yes').map(mark('boolean')) },
        );
      case 'Date':
        return fc.oneof(
          { weight: 3, arbitrary: valid },
          { weight: 2, arbitrary: dateEvil.map(mark('date')) },
          { weight: 1, arbitrary: wrongType.map(mark('type')) },
        );
      case 'DateTime':
        return fc.oneof(
          { weight: 3, arbitrary: valid },
          { weight: 2, arbitrary: dateTimeEvil.map(mark('date-time')) },
          { weight: 1, arbitrary: wrongType.map(mark('type')) },
        );
      default: // String, ID
        return fc.oneof(
          { weight: 4, arbitrary: valid },
          // Text anything may hold (free-text fields may accept it): not counted as a must-refuse value.
          { weight: 2, arbitrary: nasty.map(good) },
          { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map(good) },
          { weight: 1, arbitrary: nul.map(mark('NUL')) },
          { weight: 1, arbitrary: huge.map((v) => bad(v, `${name}: ${v.length} characters`)) },
          {
            weight: 1,
            arbitrary: wrongType.filter((v) => !(scalar === 'ID' && typeof v === 'number' && Number.isInteger(v))).map(mark('type')),
          },
        );
    }
  }
}

describe('fuzz: every mutation with generated arguments', () => {
  let t: TestApp;
  let tables: string[];
  let mutations: Field[];
  let gen: ArgGen;

  beforeAll(async () => {
    t = await createTestApp({ worker: false, env: { RATE_LIMIT_PER_MINUTE: '1000000', MAX_BODY_BYTES: '2000000' } });
    tables = await tableNames(t.ds);
    const org = await createOrg(t, 'Fuzz kindergarten', '751110000');
    const apps = [
      (await register(t, { locality: '751110000', organizationIds: [org] })).id,
      (await register(t, { locality: '711110000' })).id,
    ];
    const vacancies = await publish(t, org, { count: 2 });
    const categories = (ok(await t.gql(`{ priorityCategories { code } }`)).priorityCategories as { code: string }[]).map((c) => c.code);
    const schema = ok(await t.gql(INTROSPECT)).__schema as { mutationType: { fields: Field[] }; types: FullType[] };
    mutations = schema.mutationType.fields;
    gen = new ArgGen(new Map(schema.types.map((x) => [x.name, x])), {
      organizations: [org],
      applications: apps,
      vacancies,
      random: ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '1'],
      categories: [...categories, 'NO_SUCH_CATEGORY'],
    });
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it(`${RUNS} runs per mutation: known error codes only, nothing written by a refused call, the server stays up`, async () => {
    const problems: string[] = [];
    const stats = {
      calls: 0,
      accepted: 0,
      refused: 0,
      mustRefuse: 0,
      codes: {} as Record<string, number>,
      acceptedBy: {} as Record<string, number>,
    };
    // The snapshot after a refused call that changed nothing is the one before the next call.
    let last: DbSnapshot | null = null;
    const acceptedSamples: string[] = [];
    const skipped: string[] = [];
    const started = Date.now();
    for (const m of mutations) {
      if (m.args.length === 0) {
        skipped.push(m.name); // nothing to generate (runAllocation)
        continue;
      }
      const decl = m.args.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ');
      const call = m.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const ret = named(m.type);
      const selection = ret.kind === 'OBJECT' ? ' { __typename }' : '';
      const query = `mutation Fuzz(${decl}) { ${m.name}(${call})${selection} }`;
      const args = fc.tuple(...m.args.map((a) => gen.value(a.type, a.name)));
      await fc.assert(
        fc.asyncProperty(args, async (gens) => {
          const variables: Record<string, unknown> = {};
          gens.forEach((g, i) => (variables[m.args[i].name] = g.v));
          const mustRefuse = gens.find((g) => g.bad);
          const before = last ?? (await snapshot(t.ds, tables));
          last = null;
          const res = await fetch(`${t.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${t.admin}` },
            body: JSON.stringify({ query, variables }),
          });
          const text = await res.text();
          stats.calls++;
          if (mustRefuse) stats.mustRefuse++;
          const what = `${m.name}(${JSON.stringify(variables).slice(0, 300)})`;
          let body: GqlResult;
          try {
            body = JSON.parse(text) as GqlResult;
          } catch {
            problems.push(`${what}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
            return;
          }
          if (![200, 400].includes(res.status)) problems.push(`${what}: HTTP ${res.status}`);
          if (!body.errors?.length) {
            stats.accepted++;
            stats.acceptedBy[m.name] = (stats.acceptedBy[m.name] ?? 0) + 1;
            acceptedSamples.push(what.slice(0, 160));
            if (mustRefuse) problems.push(`${what}: accepted although ${mustRefuse.why}`);
            if (body.data?.[m.name] === undefined) problems.push(`${what}: no errors and no data`);
            return;
          }
          stats.refused++;
          for (const e of body.errors) {
            const code = e.extensions?.code ?? 'NONE';
            stats.codes[code] = (stats.codes[code] ?? 0) + 1;
            if (typeof e.message !== 'string' || !e.message) problems.push(`${what}: error without a message`);
            if (!KNOWN_CODES.has(code)) problems.push(`${what}: ${code}: ${e.message.slice(0, 200)}`);
          }
          const after = await snapshot(t.ds, tables);
          const diff = changed(before, after);
          if (diff.length) problems.push(`${what}: refused (${errorSummary(body)}) but changed ${diff.join(', ')}`);
          else last = after;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
    const health = await fetch(`${t.url}/health`);
    expect(health.status).toBe(200);
    console.log(
      `fuzz: ${mutations.length - skipped.length} mutations × ${RUNS} runs = ${stats.calls} calls in ${Date.now() - started} ms; ` +
        `${stats.refused} refused (${JSON.stringify(stats.codes)}), ${stats.accepted} accepted ${JSON.stringify(stats.acceptedBy)}, ${stats.mustRefuse} carried a must-refuse value; skipped ${skipped.join(', ') || 'none'}`,
    );
    console.log(`accepted calls:\n${acceptedSamples.join('\n')}`);
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
  }, 300_000);
});

function errorSummary(body: GqlResult): string {
  return (body.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message.slice(0, 80)}`).join('; ');
}
