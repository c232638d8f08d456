#!/usr/bin/env node
// Fairness-audit replay at national shape, without a database: `node bench/audit-scale.mjs [--size N] [--dist DIR]`.
// Generates the ledger events of N registered applications (200 localities, the largest 20 %, cohorts 2020–2026,
// 30 % choosing 1–4 organizations, desired admission 2025-09-01..2027-08-31, classes 3 % / 12 % / 85 %, 3 % twins),
// N / 50 places handed over the day before one bulletin, and the referrals the real allocate() issues for them
// (the 09:00 run), then replays them through FairnessAuditor (DIR, default dist/src: a compiled build) and prints
// events/s, the projection to 1.1 M events and the replay's heap growth. --cpu-prof on node profiles the replay.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    dist: { type: 'string' },
    seed: { type: 'string', default: '7' },
  },
});
const N = Number(values.size);
const DIST = values.dist ?? join(ROOT, 'dist/src');
const imp = (p) => import(pathToFileURL(join(DIST, p)).href);
const { FairnessAuditor } = await imp('audit/domain/fairness-audit.js');
const { allocate } = await imp('referral/domain/allocate.js');
const { KZ_WORKING_CALENDAR } = await imp('calendar/domain/working-days.js');
const { workingDaysDeadline } = await imp('calendar/domain/deadlines.js');

let s = Number(values.seed) >>> 0;
const rnd = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pad = (n, w = 2) => String(n).padStart(w, '0');
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

const LOCALITIES = 200;
const TOP = [0.2, 0.13, 0.11, 0.045, 0.04, 0.035, 0.03, 0.028, 0.025, 0.022];
const tailW = [];
for (let r = 11; r <= LOCALITIES; r++) tailW.push(1 / r);
const tailSum = tailW.reduce((a, b) => a + b, 0);
const restShare = 1 - TOP.reduce((a, b) => a + b, 0);
const locShare = [...TOP, ...tailW.map((w) => (w / tailSum) * restShare)];
const locs = locShare.map((_, i) => `75${pad(1000000 + i, 7)}`);
const cum = [];
locShare.reduce((acc, x, i) => (cum[i] = acc + x), 0);
const pickLoc = () => {
  const u = rnd() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const COHORTS = [
  [2020, 0.03, '2020-09-03', '2020-12-31'],
  [2021, 0.14, '2021-01-01', '2021-12-31'],
  [2022, 0.3, '2022-01-01', '2022-12-31'],
  [2023, 0.24, '2023-01-01', '2023-12-31'],
  [2024, 0.16, '2024-01-01', '2024-12-31'],
  [2025, 0.1, '2025-01-01', '2025-12-31'],
  [2026, 0.03, '2026-01-01', '2026-08-25'],
];
const pickCohort = () => {
  let u = rnd();
  for (const c of COHORTS) if ((u -= c[1]) < 0) return c;
  return COHORTS[2];
};
const orgsPerLoc = locShare.map((x) => Math.max(1, Math.round(x * (N / 1e6) * 2040)));
const orgId = (l, k) => `org-${l}-${k}`;
const NOW = Date.parse('2026-09-02T08:00:00+05:00');
const D_START = Date.parse('2025-09-01T00:00:00Z');

// ---- applications (generated, then emitted in registration order)
const apps = [];
for (let i = 0; apps.length < N; i++) {
  const l = pickLoc();
  const [cohort, , from, to] = pickCohort();
  const bFrom = Date.parse(`${from}T00:00:00Z`);
  const birthMs = bFrom + Math.floor(rnd() * ((Date.parse(`${to}T00:00:00Z`) - bFrom) / DAY + 1)) * DAY;
  const twin = rnd() < 0.015;
  const regLo = birthMs + 3 * DAY;
  const reg = Math.floor(regLo + (NOW - 60000 - regLo) * Math.pow(rnd(), 1.6));
  const u = rnd();
  const cls = u < 0.03 ? 0 : u < 0.15 ? 1 : 2;
  const lang = rnd() < 0.8 ? 'KK' : 'RU';
  const orgs = [];
  if (rnd() < 0.3) {
    const n = orgsPerLoc[l];
    const k = Math.min(n, 1 + Math.floor(rnd() * 4));
    const start = Math.floor(n * rnd() * rnd());
    for (let j = 0; j < k; j++) orgs.push(orgId(l, (start + j) % n));
  }
  const desired = ymd(Math.max(D_START + Math.floor(rnd() * 730) * DAY, birthMs + 365 * DAY));
  const uw = rnd();
  const workModes = uw < 0.9 ? ['FULL_DAY'] : uw < 0.97 ? ['FULL_DAY', 'HALF_DAY'] : ['HALF_DAY'];
  const temp = rnd() < 0.15;
  const base = { l, cohort, birthDate: ymd(birthMs), cls, lang, orgs, desired, workModes, temp };
  const id0 = `app-${i}-0`;
  apps.push({ ...base, id: id0, reg, batchId: twin ? id0 : null });
  if (twin && apps.length < N) apps.push({ ...base, id: `app-${i}-1`, reg: reg + 40000, batchId: id0 });
}
apps.sort((a, b) => a.reg - b.reg);
apps.forEach((a, i) => (a.seq = 1000 + i));

const events = [];
const emit = (type, entity, entityId, at, data) => events.push({ seq: events.length + 1, type, entity, entityId, at: new Date(at), data });
const views = new Map();
const seen = new Set();
for (const a of apps) {
  const batchId = a.batchId && seen.has(a.batchId) ? a.batchId : null; // the first of a batch learns it later
  seen.add(a.id);
  emit('application.registered', 'application', a.id, a.reg, {
    number: `KZ-${a.seq}`,
    seq: a.seq,
    locality: locs[a.l],
    cohort: a.cohort,
    registeredAt: new Date(a.reg).toISOString(),
    priorityClass: 2,
    claims: [],
    batchId,
    organizationIds: a.orgs,
    language: a.lang,
    groupType: 'GENERAL',
    workModes: a.workModes,
    desiredAdmissionDate: a.desired,
    acceptsTemporaryStay: a.temp,
    birthDate: a.birthDate,
  });
  if (a.cls !== 2) {
    emit('application.priority_confirmed', 'application', a.id, Math.min(NOW - 1000, a.reg + 2 * DAY), {
      category: a.cls === 0 ? 'MILITARY' : 'LARGE_FAMILY',
      priorityClass: a.cls,
    });
  }
  views.set(a.id, {
    id: a.id,
    seq: a.seq,
    priorityClass: a.cls,
    registeredAt: a.reg,
    locality: locs[a.l],
    cohort: a.cohort,
    birthDate: a.birthDate,
    organizationIds: a.orgs,
    language: a.lang,
    groupType: 'GENERAL',
    specialNeedsConfirmed: false,
    workModes: a.workModes,
    desiredAdmissionDate: a.desired,
    acceptsTemporaryStay: a.temp,
    batchId: a.batchId,
  });
}
// ---- places, handed over the day before the bulletin
const P = Math.round(N / 50);
const vacancies = [];
const pubStart = Date.parse('2026-09-01T09:00:05+05:00');
for (let i = 0; i < P; i++) {
  const l = pickLoc();
  const u2 = rnd();
  const v = {
    id: `vac-${i}`,
    organizationId: orgId(l, Math.floor(rnd() * orgsPerLoc[l])),
    locality: locs[l],
    language: rnd() < 0.8 ? 'KK' : 'RU',
    ageFromMonths: u2 < 0.3 ? 12 : u2 < 0.75 ? 36 : 60,
    ageToMonths: u2 < 0.3 ? 35 : u2 < 0.75 ? 59 : 72,
    groupType: 'GENERAL',
    workMode: rnd() < 0.92 ? 'FULL_DAY' : 'HALF_DAY',
    admissionMode: rnd() < 0.05 ? 'TEMPORARY_STAY' : 'GENERAL',
    admissionStartDate: rnd() < 0.5 ? '2026-09-15' : '2026-10-01',
  };
  vacancies.push(v);
  const { id, ...data } = v;
  emit('vacancy.published', 'vacancy', id, pubStart + i * Math.floor((23 * 3600_000) / P), data);
}
// ---- the 09:00 run: the referrals allocate() issues
const ratio = { first: 1, general: 3 };
const t0 = Date.now();
const { referrals } = allocate({
  vacancies,
  applications: [...views.values()],
  cycles: {},
  ratio,
  excluded: new Set(),
});
const allocMs = Date.now() - t0;
const at0900 = Date.parse('2026-09-02T09:00:00+05:00');
referrals.forEach((r, i) => {
  const at = new Date(at0900 + 1000 + i);
  const confirmBy = workingDaysDeadline(KZ_WORKING_CALENDAR, at, 2);
  emit('referral.issued', 'referral', `ref-${i}`, at, {
    applicationId: r.applicationId,
    vacancyId: r.vacancyId,
    claimed: false,
    status: 'OFFERED',
    runId: 'run-1',
    priorityClass: views.get(r.applicationId).priorityClass,
    queueKey: r.queueKey,
    clockStart: at.toISOString(),
    confirmBy: confirmBy.toISOString(),
  });
});
process.stderr.write(
  `generated ${events.length} events (${N} applications, ${P} places, ${referrals.length} referrals; allocate ${allocMs} ms)\n`,
);

// ---- the replay (as audit.service.ts: one apply per event)
if (global.gc) global.gc();
const heap0 = process.memoryUsage().heapUsed;
const started = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const auditor = new FairnessAuditor({
  calendar: KZ_WORKING_CALENDAR,
  settings: {
    confirmWorkingDays: 2,
    documentsWorkingDays: 5,
    extensionCalendarDays: 30,
    stopListCalendarDays: 10,
    interleave: ratio,
    priorityWindowHours: 24,
  },
  from: null,
  to: new Date(at0900 + DAY),
  asOf: new Date(at0900 + 3600_000),
});
let tRef = 0n;
for (const e of events) {
  if (e.type === 'referral.issued') {
    const t = process.hrtime.bigint();
    auditor.apply(e);
    tRef += process.hrtime.bigint() - t;
  } else auditor.apply(e);
}
const report = auditor.finish();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpu0);
if (global.gc) global.gc();
const heap1 = process.memoryUsage().heapUsed;
const perEvent = (ms * 1000) / events.length;
const out = {
  events: events.length,
  referrals: referrals.length,
  ms: Math.round(ms),
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  cpuUsPerEvent: +((cpu.user + cpu.system) / events.length).toFixed(2),
  projected1_1M_cpuS: +(((cpu.user + cpu.system) / events.length) * 1.1).toFixed(1),
  referralMs: Math.round(Number(tRef) / 1e6),
  eventsPerS: Math.round(events.length / (ms / 1000)),
  usPerEvent: +perEvent.toFixed(2),
  violations: report.violations.length,
  byCheck: report.violations.reduce((m, v) => ((m[v.check] = (m[v.check] ?? 0) + 1), m), {}),
  referralsChecked: report.referralsChecked,
  heapGrowthMiB: +((heap1 - heap0) / 2 ** 20).toFixed(1),
};
console.log(JSON.stringify(out));
if (report.violations.length) console.log(JSON.stringify(report.violations.slice(0, 3)));
