#!/usr/bin/env node
// Allocation at national scale: `npm run -s build && node bench/allocate-scale.mjs [--runs N] [--quick]`.
// Plain Node ESM over the built dist/ (BENCH_DIST=<dir> measures another build, default dist/src; the
// bench data always comes from this checkout's dist/bench/allocate.bench-data.js).
//
// World: one locality the size of the largest city (200,000 QUEUED applications over 6 birth-year
// cohorts, up to 60,000 each; desired admission dates spread over two years, most of them later than
// the places' start; 30 % of families choosing 1–4 of 300 organizations; classes 0/1/2 = 3/12/85 %;
// twins and triplets; excluded pairs) and one morning's places (700, three age windows).
//
// Prints:
//   - allocate() (indexed, src/) vs the previous allocate() (kept below as `allocateOld`, the baseline)
//     on the 200,000-application locality: input sorted by (registeredAt, seq) or shuffled, and with
//     one more place that every application fits (nobody can be left out of the index: the build's
//     worst case); the index build vs the allocation loop; the first call in a fresh process (code
//     not yet optimized) and the longest single call (the call is synchronous);
//   - allocate() vs allocateOld() vs allocateReference() (O(places × applications)) on a 20,000-
//     application world, and on the multi-locality bench data of bench/run.mjs;
//   - every comparison checks that the results are identical.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist/src');
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    /** Internal: time the first call of scenario k in this fresh process and print it. */
    cold: { type: 'string' },
  },
});
const RUNS = Number(args.runs ?? (args.quick ? 3 : 9));

const { allocate, allocateReference } = await import(join(DIST, 'referral/domain/allocate.js'));
const { IndexedAllocation } = await import(join(DIST, 'referral/domain/allocate-indexed.js'));
const { benchAllocate } = await import(join(ROOT, 'dist/bench/allocate.bench-data.js'));
const { advanceCycle, compareHeads, compareWithinClass, pickClass } = await import(join(DIST, 'queue/domain/index.js'));
const { birthDateWindow, isEligible, queueKeyOf } = await import(join(DIST, 'referral/domain/eligibility.js'));

const log = (m) => process.stderr.write(`[allocate-scale] ${m}\n`);
const fmt = (n, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;
/**
 * CPU time of the main thread, ms (Linux: /proc/thread-self/schedstat, which also excludes the time
 * spent waiting for a CPU on a busy machine); elsewhere the CPU time of the whole process.
 */
const cpuNow = (() => {
  try {
    readFileSync('/proc/thread-self/schedstat', 'utf8');
    return () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
  }
})();

/**
 * The speed of this machine right now: wall-clock and main-thread CPU ms of a loop of 10^8
 * floating-point additions (about 0.1–0.15 s on an idle modern core); figures scale with it.
 */
function calibrate() {
  let sum = 0;
  for (let i = 0; i < 1e6; i++) sum += i;
  const c0 = cpuNow();
  const t0 = now();
  for (let i = 0; i < 1e8; i++) sum += i;
  return { ms: now() - t0, cpu: cpuNow() - c0, sum };
}
// One full garbage collection before each series, so that its calls do not pay for the garbage of
// the world generation (a forced collection before every call slows the next one down instead).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

// ------------------------------------------------------------------ baseline: the previous allocate()

/** The indexed allocate() before the segment trees (lists walked from their heads), verbatim in JS. */
function allocateOld(input) {
  const { vacancies, applications: apps, ratio, excluded } = input;
  const cycles = { ...input.cycles };
  const referrals = [];
  const allocated = new Uint8Array(apps.length);
  const consumed = new Uint8Array(vacancies.length);
  const birthYear = (date) => Number(date.slice(0, 4));

  const order = apps.map((_, idx) => idx).sort((x, y) => compareWithinClass(apps[x], apps[y]));
  const slicesByPlace = new Map();
  const sliceByKey = new Map();
  const batches = new Map();
  for (const idx of order) {
    const app = apps[idx];
    const sliceKey = `${app.locality}\u0000${app.cohort}\u0000${app.language}\u0000${app.groupType}`;
    let slice = sliceByKey.get(sliceKey);
    if (slice === undefined) {
      slice = {
        queueKey: queueKeyOf(app),
        minYear: Infinity,
        maxYear: -Infinity,
        lists: [
          { items: [], head: 0 },
          { items: [], head: 0 },
          { items: [], head: 0 },
        ],
      };
      sliceByKey.set(sliceKey, slice);
      const placeKey = `${app.locality}\u0000${app.language}\u0000${app.groupType}`;
      const place = slicesByPlace.get(placeKey);
      if (place) place.push(slice);
      else slicesByPlace.set(placeKey, [slice]);
    }
    const y = birthYear(app.birthDate);
    if (y < slice.minYear) slice.minYear = y;
    if (y > slice.maxYear) slice.maxYear = y;
    slice.lists[app.priorityClass].items.push(idx);
    if (app.batchId !== null) {
      const members = batches.get(app.batchId);
      if (members) members.push(idx);
      else batches.set(app.batchId, [idx]);
    }
  }
  for (const members of batches.values()) members.sort((x, y) => apps[x].seq - apps[y].seq);

  const orgVacancies = new Map();
  const posInOrg = new Int32Array(vacancies.length);
  vacancies.forEach((v, j) => {
    let list = orgVacancies.get(v.organizationId);
    if (list === undefined) orgVacancies.set(v.organizationId, (list = []));
    posInOrg[j] = list.length;
    list.push(j);
  });

  const issue = (idx, vacancy) => {
    const app = apps[idx];
    const key = queueKeyOf(app);
    referrals.push({ vacancyId: vacancy.id, applicationId: app.id, queueKey: key });
    cycles[key] = advanceCycle(cycles[key] ?? 0, app.priorityClass, ratio);
    allocated[idx] = 1;
  };

  let earliest = '';
  let latest = '';
  const firstEligible = (list, vacancy, skipped) => {
    const items = list.items;
    let h = list.head;
    while (h < items.length && allocated[items[h]] === 1) h++;
    list.head = h;
    for (let k = h; k < items.length; k++) {
      const idx = items[k];
      if (allocated[idx] === 1) continue;
      const app = apps[idx];
      if (app.birthDate < earliest || app.birthDate > latest) continue;
      if (skipped !== null && app.batchId !== null && skipped.has(app.batchId)) continue;
      if (isEligible(app, vacancy, excluded)) return idx;
    }
    return -1;
  };
  const pickOf = (slice, vacancy, skipped) => {
    const found = [-1, -1, -1];
    const cls = pickClass(cycles[slice.queueKey] ?? 0, ratio, (c) => (found[c] = firstEligible(slice.lists[c], vacancy, skipped)) >= 0);
    return cls === null ? -1 : found[cls];
  };

  for (let i = 0; i < vacancies.length; i++) {
    if (consumed[i] === 1) continue;
    const vacancy = vacancies[i];
    const place = slicesByPlace.get(`${vacancy.locality}\u0000${vacancy.language}\u0000${vacancy.groupType}`);
    if (place === undefined) continue;
    ({ earliest, latest } = birthDateWindow(vacancy.admissionStartDate, vacancy.ageFromMonths, vacancy.ageToMonths));
    if (earliest > latest) continue;
    const fromYear = birthYear(earliest);
    const toYear = birthYear(latest);
    const active = place.filter((s) => s.maxYear >= fromYear && s.minYear <= toYear);
    if (active.length === 0) continue;

    let skipped = null;
    const picks = active.map((slice) => pickOf(slice, vacancy, null));
    for (;;) {
      let best = -1;
      for (const idx of picks) {
        if (idx >= 0 && (best < 0 || compareHeads(apps[idx], apps[best]) < 0)) best = idx;
      }
      if (best < 0) break;
      const batchId = apps[best].batchId;
      if (batchId === null) {
        issue(best, vacancy);
        break;
      }
      const siblings = (batches.get(batchId) ?? []).filter((idx) => idx !== best && allocated[idx] === 0);
      const sameOrg = orgVacancies.get(vacancy.organizationId) ?? [];
      const places = [];
      for (const sibling of siblings) {
        let found = -1;
        for (let k = posInOrg[i] + 1; k < sameOrg.length && found < 0; k++) {
          const j = sameOrg[k];
          if (consumed[j] === 1 || places.includes(j)) continue;
          if (isEligible(apps[sibling], vacancies[j], excluded)) found = j;
        }
        if (found < 0) break;
        places.push(found);
      }
      if (places.length === siblings.length) {
        issue(best, vacancy);
        siblings.forEach((sibling, k) => {
          consumed[places[k]] = 1;
          issue(sibling, vacancies[places[k]]);
        });
        break;
      }
      skipped ??= new Set();
      skipped.add(batchId);
      for (let k = 0; k < picks.length; k++) {
        if (picks[k] >= 0 && apps[picks[k]].batchId === batchId) {
          picks[k] = pickOf(active[k], vacancy, skipped);
        }
      }
    }
  }
  return { referrals, cycles };
}

// ------------------------------------------------------------------ the national-shape world

/** mulberry32. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const LOCALITY = '711000000';
/** Share of each cohort: the largest (2024) holds 30 % — 60,000 of 200,000. */
const COHORTS = [
  [2020, 5],
  [2021, 10],
  [2022, 20],
  [2023, 25],
  [2024, 30],
  [2025, 10],
];
const START = '2026-09-01';
/** Age windows of the places (months on the start date): each cuts across two cohorts. */
const AGE_WINDOWS = [
  [[24, 35], 40],
  [[36, 47], 35],
  [[48, 59], 25],
];

/**
 * One locality: `applications` QUEUED applications, `places` places in bulletin order, `orgs`
 * organizations. Deterministic for a given seed.
 */
function nationalWorld({ applications: count, places, orgs = 300, seed = 2026_09_01 }) {
  const rnd = prng(seed);
  const int = (n) => Math.floor(rnd() * n);
  const chance = (p) => rnd() < p;
  const weighted = (pairs) => {
    let r = rnd() * pairs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1][0];
  };
  const orgId = (k) => `org-${String(k).padStart(3, '0')}`;
  const latestRegistration = Date.UTC(2026, 7, 25);
  const desiredFrom = Date.UTC(2026, 3, 1); // two years from 2026-04-01: ~21 % on or before START

  const apps = [];
  let batchNo = 0;
  while (apps.length < count) {
    const year = weighted(COHORTS);
    const born = Date.UTC(year, 0, 1) + int(365) * DAY_MS;
    // Most families register within months of the birth; the registration order follows births.
    const registeredAt = Math.min(latestRegistration, born + (3 + int(chance(0.8) ? 200 : 900)) * DAY_MS + int(DAY_MS));
    const organizationIds = [];
    if (chance(0.3)) {
      const wanted = 1 + int(4);
      while (organizationIds.length < wanted) {
        const id = orgId(int(orgs));
        if (!organizationIds.includes(id)) organizationIds.push(id);
      }
    }
    const groupType = chance(0.02) ? 'SPECIAL' : 'GENERAL';
    const size = chance(0.015) ? (chance(0.07) ? 3 : 2) : 1;
    const base = {
      priorityClass: weighted([
        [0, 3],
        [1, 12],
        [2, 85],
      ]),
      registeredAt,
      locality: LOCALITY,
      cohort: year,
      born,
      organizationIds,
      language: chance(0.65) ? 'kk' : 'ru',
      groupType,
      specialNeedsConfirmed: groupType === 'SPECIAL' && chance(0.8),
      desired: desiredFrom + int(730) * DAY_MS,
      acceptsTemporaryStay: chance(0.2),
      batchId: size > 1 ? `batch-${++batchNo}` : null,
    };
    for (let k = 0; k < size && apps.length < count; k++) {
      apps.push({
        id: `app-${apps.length}`,
        seq: 0,
        ...base,
        workModes: weighted([
          [['FULL_DAY'], 85],
          [['FULL_DAY', 'HALF_DAY'], 8],
          [['HALF_DAY'], 4],
          [['FULL_DAY', 'ROUND_THE_CLOCK'], 3],
        ]),
      });
    }
  }
  // Application numbers in registration order; the input sorted by (registeredAt, seq), its objects
  // and strings created afresh in that order by a parser (as the service gets its rows, ORDER BY seq).
  apps.sort((x, y) => x.registeredAt - y.registeredAt);
  const views = apps.map((a, i) => ({
    id: a.id,
    seq: 1_000_000 + i,
    priorityClass: a.priorityClass,
    registeredAt: a.registeredAt,
    locality: a.locality,
    cohort: a.cohort,
    birthDate: iso(a.born),
    organizationIds: a.organizationIds,
    language: a.language,
    groupType: a.groupType,
    specialNeedsConfirmed: a.specialNeedsConfirmed,
    workModes: a.workModes,
    desiredAdmissionDate: iso(a.desired),
    acceptsTemporaryStay: a.acceptsTemporaryStay,
    batchId: a.batchId,
  }));
  const applications = JSON.parse(JSON.stringify(views));

  const vacancies = [];
  for (let i = 0; i < places; i++) {
    const [ageFromMonths, ageToMonths] = weighted(AGE_WINDOWS);
    vacancies.push({
      id: `vac-${i}`,
      organizationId: orgId(int(orgs)),
      locality: LOCALITY,
      language: chance(0.65) ? 'kk' : 'ru',
      ageFromMonths,
      ageToMonths,
      groupType: chance(0.02) ? 'SPECIAL' : 'GENERAL',
      workMode: weighted([
        ['FULL_DAY', 90],
        ['HALF_DAY', 8],
        ['ROUND_THE_CLOCK', 2],
      ]),
      admissionMode: weighted([
        ['GENERAL', 80],
        ['EARLY_BOOKING', 10],
        ['TEMPORARY_STAY', 10],
      ]),
      admissionStartDate: chance(0.85) ? START : '2026-10-01',
    });
  }
  // Excluded pairs among the applications that want a place by the start (the ones that matter).
  const early = applications.filter((a) => a.desiredAdmissionDate <= START);
  const excluded = new Set();
  for (let k = 0; k < Math.round(count / 60); k++) {
    excluded.add(`${early[int(early.length)].id}:${vacancies[int(places)].id}`);
  }
  const cycles = {};
  for (const [year] of COHORTS) cycles[`${LOCALITY}:${year}`] = int(4);
  return { vacancies, applications, cycles, ratio: { first: 1, general: 3 }, excluded };
}

/** The same applications in a random order (parsed afresh in that order, as rows would be). */
function shuffled(input, seed = 7) {
  const rnd = prng(seed);
  const apps = input.applications.slice();
  for (let i = apps.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [apps[i], apps[j]] = [apps[j], apps[i]];
  }
  return { ...input, applications: JSON.parse(JSON.stringify(apps)) };
}

// ------------------------------------------------------------------ measuring

/**
 * A full collection, then a pause for its concurrent sweeping, so that the calls of a series pay
 * neither for the garbage of the world generation nor for a collection forced just before them.
 */
async function settle() {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Times `fn(input)`: one warm-up call, then `runs` calls: wall-clock median, min, max; CPU median, min. */
async function time(fn, input, runs) {
  await settle();
  let out = fn(input);
  const ms = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpuNow();
    const t0 = now();
    out = fn(input);
    ms.push(now() - t0);
    cpu.push(cpuNow() - c0);
  }
  return {
    median: median(ms),
    min: Math.min(...ms),
    max: Math.max(...ms),
    cpu: median(cpu),
    cpuMin: Math.min(...cpu),
    out,
  };
}

/**
 * Times `fast(input)` `runs` times and `slow(input)` every `every`-th of them, interleaved (so that
 * both meet the same machine), after one warm-up call each.
 */
async function timeInterleaved(fast, slow, input, runs, every) {
  await settle();
  const a = { ms: [], cpu: [], out: fast(input) };
  const b = { ms: [], cpu: [], out: slow(input) };
  const once = (fn, into) => {
    const c0 = cpuNow();
    const t0 = now();
    into.out = fn(input);
    into.ms.push(now() - t0);
    into.cpu.push(cpuNow() - c0);
  };
  for (let i = 0; i < runs; i++) {
    once(fast, a);
    if (i % every === 0) once(slow, b);
  }
  const summary = (x) => ({
    median: median(x.ms),
    min: Math.min(...x.ms),
    max: Math.max(...x.ms),
    cpu: median(x.cpu),
    cpuMin: Math.min(...x.cpu),
    out: x.out,
  });
  return [summary(a), summary(b)];
}

/** The index build and the allocation loop of allocate(), separately (medians, wall clock). */
async function phases(input, runs) {
  await settle();
  const build = [];
  const loop = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = now();
    const index = new IndexedAllocation(input);
    const t1 = now();
    index.run();
    const t2 = now();
    if (i > 0) {
      build.push(t1 - t0);
      loop.push(t2 - t1);
    }
  }
  return { build: median(build), loop: median(loop) };
}

/** The first call of allocate() in a fresh process (code not yet optimized), scenario k. */
function coldCall(k) {
  const outText = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--cold', String(k)], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(outText.trim().split('\n').pop());
}

function same(label, a, b) {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${label}: results differ`);
}

const describe = (input) => {
  const apps = input.applications;
  const early = apps.filter((a) => a.desiredAdmissionDate <= START).length;
  const choosing = apps.filter((a) => a.organizationIds.length > 0).length;
  const perCohort = COHORTS.map(([y]) => apps.filter((a) => a.cohort === y).length);
  return `${fmt(apps.length, 0)} applications (cohorts ${perCohort.map((n) => fmt(n, 0)).join(' / ')}; ${fmt((100 * early) / apps.length)} % want a place by ${START}; ${fmt((100 * choosing) / apps.length)} % choose organizations; ${fmt(apps.filter((a) => a.batchId !== null).length, 0)} twins/triplets; ${fmt(input.excluded.size, 0)} excluded pairs), ${fmt(input.vacancies.length, 0)} places`;
};

const lines = [];
const out = (s) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

/**
 * The same world with one more place at the end of the bulletin that starts after everybody's
 * desired date and takes every age: no application can be left out of the index any more (the
 * index build's worst case; the allocation is the same but for that last place).
 */
function everyoneCandidate(input) {
  const last = input.vacancies[input.vacancies.length - 1];
  const extra = {
    ...last,
    id: 'vac-late',
    admissionStartDate: '2028-06-01',
    ageFromMonths: 0,
    ageToMonths: 120,
    workMode: 'FULL_DAY',
    admissionMode: 'GENERAL',
  };
  return { ...input, vacancies: [...input.vacancies, extra] };
}

/**
 * As the service reads them (ORDER BY seq), with 1 % of the registrations dated earlier than their
 * number says (backdated): the input is only nearly sorted by (registeredAt, seq).
 */
function backdated(input, seed = 11) {
  const rnd = prng(seed);
  const applications = input.applications.map((a) =>
    rnd() < 0.01 ? { ...a, registeredAt: a.registeredAt - (1 + Math.floor(rnd() * 300)) * DAY_MS } : a,
  );
  return { ...input, applications };
}

const scenarios = (base) => [
  ['700 places, input sorted by (registeredAt, seq)', () => base],
  ['700 places, input by seq, 1 % backdated (nearly sorted)', () => backdated(base)],
  ['700 places, input shuffled', () => shuffled(base)],
  ['701 places, the last one for everybody (every application indexed), sorted', () => everyoneCandidate(base)],
  ['701 places, the last one for everybody, shuffled', () => shuffled(everyoneCandidate(base))],
];
const largest = () => nationalWorld({ applications: 200_000, places: 700 });

if (args.cold !== undefined) {
  const input = scenarios(largest())[Number(args.cold)][1]();
  await settle();
  const c0 = cpuNow();
  const t0 = now();
  allocate(input);
  const ms = now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, cpu: cpuNow() - c0 })}\n`);
  process.exit(0);
}

out(
  `# allocate() at national scale (Node ${process.version}, medians of ${RUNS} calls of allocate() after a warm-up call, the old one timed in between every third (200k) or every (20k) call; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')})`,
);
const speed = () => {
  const c = calibrate();
  return `${fmt(c.ms, 0)} ms wall, ${fmt(c.cpu, 0)} ms main-thread CPU; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
};
out(
  `- machine speed at the start: a loop of 10^8 float additions takes ${speed()} (about 100–150 ms on an idle modern core: on a busy or throttled machine every figure below grows with it)`,
);
out('- CPU = main-thread CPU time (Linux schedstat: time on a CPU, not time waiting for one)');
out('');

{
  const base = largest();
  out(`## Largest locality: ${describe(base)}`);
  out('');
  out(
    '| 200,000 applications | allocate() new: median (min – max) | CPU median (min) | first call in a fresh process | index build + allocation loop (medians) | allocate() old: median, CPU median |',
  );
  out('| --- | --- | --- | --- | --- | --- |');
  let longest = 0;
  let reference = null;
  const list = scenarios(base);
  for (let k = 0; k < list.length; k++) {
    const [name, make] = list[k];
    log(`200k: ${name} …`);
    const input = make();
    const [fresh, old] = await timeInterleaved(allocate, allocateOld, input, RUNS, 3);
    const ph = await phases(input, RUNS);
    same(`200k ${name}: new vs old`, fresh.out, old.out);
    log(`200k: ${name}, first call in a fresh process …`);
    const cold = coldCall(k);
    if (reference === null) reference = fresh;
    longest = Math.max(longest, cold.ms, fresh.max);
    out(
      `| ${name} | ${fmt(fresh.median)} ms (${fmt(fresh.min)} – ${fmt(fresh.max)}) | ${fmt(fresh.cpu)} ms (${fmt(fresh.cpuMin)}) | ${fmt(cold.ms)} ms (CPU ${fmt(cold.cpu)} ms) | ${fmt(ph.build)} + ${fmt(ph.loop)} ms | ${fmt(old.median)} ms, CPU ${fmt(old.cpu)} ms (${fmt(old.cpu / fresh.cpu)}× new) |`,
    );
  }
  out('');
  out(`- new and old give identical results in every scenario (${fmt(reference.out.referrals.length, 0)} referrals for 700 places)`);
  out(
    `- longest single synchronous call of the new allocate() (the call is synchronous), first call or warm, any scenario: ${fmt(longest)} ms`,
  );
  out('');
}

{
  const input = nationalWorld({ applications: 20_000, places: 700, orgs: 60, seed: 42 });
  out(`## Smaller world for the reference: ${describe(input)}`);
  log('20k: reference …');
  const ref = await time(allocateReference, input, 1);
  const [fresh, old] = await timeInterleaved(allocate, allocateOld, input, RUNS, 1);
  same('20k new vs reference', fresh.out, ref.out);
  same('20k old vs reference', old.out, ref.out);
  out('');
  out(`| 20,000 applications × 700 places | median | CPU median |`);
  out('| --- | --- | --- |');
  out(`| allocate() new | ${fmt(fresh.median)} ms | ${fmt(fresh.cpu)} ms |`);
  out(`| allocate() old | ${fmt(old.median)} ms | ${fmt(old.cpu)} ms |`);
  out(`| allocateReference() | ${fmt(ref.median)} ms | ${fmt(ref.cpu)} ms |`);
  out('');
  out(
    `- identical results (${fmt(fresh.out.referrals.length, 0)} referrals); new is ${fmt(ref.median / fresh.median)}× faster than the reference, ${fmt(old.median / fresh.median)}× than old`,
  );
  const everyone = shuffled(everyoneCandidate(input));
  log('20k: reference, every application indexed, shuffled …');
  same('20k everyone: new vs reference', allocate(everyone), allocateReference(everyone));
  out('- the same world with one more place for everybody, shuffled: identical results too');
  out('');
}

{
  const input = benchAllocate();
  out('## bench/run.mjs data (4 localities, 20,000 applications × 500 places)');
  log('bench data: reference …');
  const ref = await time(allocateReference, input, 1);
  const [fresh, old] = await timeInterleaved(allocate, allocateOld, input, RUNS, 1);
  same('bench data new vs reference', fresh.out, ref.out);
  same('bench data old vs reference', old.out, ref.out);
  out('');
  out(
    `- allocate() new ${fmt(fresh.median)} ms (CPU ${fmt(fresh.cpu)} ms), old ${fmt(old.median)} ms (CPU ${fmt(old.cpu)} ms), reference ${fmt(ref.median)} ms (medians; identical results, ${fmt(fresh.out.referrals.length, 0)} referrals)`,
  );
}

out('');
out(`- machine speed at the end: ${speed()}`);
