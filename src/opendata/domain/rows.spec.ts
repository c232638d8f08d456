import { parseCsvObjects } from './csv.js';
import { pseudonym, pseudonymizer } from './pseudonym.js';
import {
  asCsvRecord,
  BULLETIN_COLUMNS,
  bulletinRow,
  bulletinsCsv,
  exportJson,
  parseExportFile,
  QUEUE_COLUMNS,
  exportJsonHead,
  QUEUES_CSV_HEADER,
  queueRows,
  queuesCsv,
  queueText,
} from './rows.js';

const KEY = 'test-salt-test-salt';

describe('open-data rows', () => {
  const order = [
    {
      id: 'a1',
      priorityClass: 0,
      registeredAt: Date.parse('2026-09-07T05:00:00.000Z'),
      organizationIds: [],
      language: 'KK',
      groupType: 'GENERAL',
    },
    {
      id: 'a2',
      priorityClass: 2,
      registeredAt: Date.parse('2026-09-06T05:00:00.000Z'),
      organizationIds: ['o1', 'o2'],
      language: 'RU',
      groupType: 'SPECIAL',
    },
  ];

  it('numbers a queue 1..N in the given order, with +05:00 times and no other fields', () => {
    const rows = queueRows('2026-09-08', '751110000', 2023, order, KEY);
    expect(rows.map((r) => [r.queue_number, r.pseudonym])).toEqual([
      [1, pseudonym(KEY, 'a1')],
      [2, pseudonym(KEY, 'a2')],
    ]);
    expect(rows[0].registered_at).toBe('2026-09-07T10:00:00.000+05:00');
    expect(rows[1].organization_choices).toEqual(['o1', 'o2']);
    expect(Object.keys(rows[0]).sort()).toEqual([...QUEUE_COLUMNS].sort());
    expect(rows[0].pseudonym).toMatch(/^[0-9a-f]{16}$/);
    expect(rows[0].pseudonym).not.toBe(rows[1].pseudonym);
  });

  it('never publishes the application number, even when the facts passed in carry one', () => {
    expect(QUEUE_COLUMNS).not.toContain('application_number');
    const numbered = order.map((e, i) => ({ ...e, number: `KZ-000100${i}` }));
    const rows = queueRows('2026-09-08', '751110000', 2023, numbered, KEY);
    expect(rows.every((r) => !('application_number' in r) && !('number' in r))).toBe(true);
    const csv = queuesCsv(rows);
    const json = exportJson({ date: '2026-09-08', kind: 'queues', generatedAt: 'g', ledgerHead: 'h', ledgerLength: 0, rows });
    expect(csv.split('\r\n')[0]).toBe(QUEUE_COLUMNS.join(','));
    for (const body of [csv, json]) {
      expect(body).not.toContain('KZ-');
      expect(body).not.toContain('application_number');
    }
  });

  it('CSV and JSON carry the same rows', () => {
    const rows = queueRows('2026-09-08', '751110000', 2023, order, KEY);
    const fromCsv = parseCsvObjects(queuesCsv(rows));
    const json = JSON.parse(
      exportJson({ date: '2026-09-08', kind: 'queues', generatedAt: 'g', ledgerHead: 'h', ledgerLength: 3, rows }),
    ) as {
      rows: typeof rows;
      date: string;
      ledgerHead: string;
    };
    expect(json).toMatchObject({ date: '2026-09-08', ledgerHead: 'h', ledgerLength: 3, kind: 'queues', generatedAt: 'g' });
    expect(json.rows).toEqual(rows);
    expect(fromCsv).toEqual(json.rows.map(asCsvRecord));
    expect(fromCsv[1].organization_choices).toBe('o1;o2');
  });

  it('an empty export is still valid JSON and a header-only CSV', () => {
    expect(JSON.parse(exportJson({ date: 'd', kind: 'bulletins', generatedAt: 'g', ledgerHead: 'h', ledgerLength: 0, rows: [] }))).toEqual({
      date: 'd',
      kind: 'bulletins',
      generatedAt: 'g',
      ledgerHead: 'h',
      ledgerLength: 0,
      rows: [],
    });
    expect(bulletinsCsv([])).toBe(`${BULLETIN_COLUMNS.join(',')}\r\n`);
  });

  it('bulletin rows quote organization names that need it', () => {
    const row = bulletinRow({
      date: '2026-09-08',
      kind: 'VACATED',
      position: 1,
      at: new Date('2026-09-07T05:00:00.000Z'),
      vacancyId: 'v',
      organizationId: 'o',
      organizationName: 'ТОО "Балапан", филиал',
      organizationBin: '030140001234',
      locality: '751110000',
      ageGroup: 'Middle',
      language: 'KK',
      ageFromMonths: 12,
      ageToMonths: 60,
      groupType: 'GENERAL',
      workMode: 'FULL_DAY',
      admissionMode: 'GENERAL',
      admissionStartDate: '2026-09-01',
      attendanceUntil: null,
      ledgerHead: null,
    });
    const csv = bulletinsCsv([row]);
    expect(csv).toContain('"ТОО ""Балапан"", филиал"');
    expect(parseCsvObjects(csv)).toEqual([asCsvRecord(row)]);
    expect(row.at).toBe('2026-09-07T10:00:00.000+05:00');
  });

  it('queueText writes the same bytes as queuesCsv and exportJson of queueRows, queue by queue', () => {
    const facts = [
      ...order,
      {
        id: 'a3',
        priorityClass: 1,
        registeredAt: Date.parse('2026-09-05T19:30:00.123Z'),
        organizationIds: ['ef9493d0-14cc-4a28-a110-0010b2c2eefb'],
        language: 'K,"Z"',
        groupType: 'GENERAL',
      },
      {
        id: 'a4',
        priorityClass: 2,
        registeredAt: Date.parse('2026-09-05T19:30:00.999Z'),
        organizationIds: ['x y', 'a"b', 'c,d'],
        language: 'RU',
        groupType: 'GEN\nERAL',
      },
    ];
    const queues = [
      { locality: '751110000', cohort: 2022, facts: facts.slice(0, 3) },
      { locality: '751110000', cohort: 2023, facts: [] },
      { locality: '751210000', cohort: 2023, facts: facts.slice(1) },
    ];
    const rows = queues.flatMap((q) => queueRows('2026-09-08', q.locality, q.cohort, q.facts, KEY));
    const meta = { date: '2026-09-08', kind: 'queues' as const, generatedAt: 'g', ledgerHead: 'h', ledgerLength: 3 };
    const cache = new Map<string, [string, string]>();
    let csv = QUEUES_CSV_HEADER;
    const json: string[] = [];
    for (const q of queues) {
      const text = queueText(
        '2026-09-08',
        q.locality,
        q.cohort,
        q.facts.map((f) => ({ ...f, organizationChoices: f.organizationIds.join(';') })),
        pseudonymizer(KEY),
        cache,
      );
      csv += text.csv;
      if (q.facts.length) json.push(text.json);
    }
    expect(csv).toBe(queuesCsv(rows));
    expect(`${exportJsonHead(meta)}[\n${json.join(',\n')}\n]}\n`).toBe(exportJson({ ...meta, rows }));
    expect(`${exportJsonHead(meta)}[]}\n`).toBe(exportJson({ ...meta, rows: [] }));
  });

  it.each([
    ['queues.csv', { kind: 'queues', format: 'csv' }],
    ['bulletins.json', { kind: 'bulletins', format: 'json' }],
    ['queues.xml', null],
    ['../queues.csv', null],
    ['queues.csv.bak', null],
  ])('file name %s', (name, expected) => {
    expect(parseExportFile(name)).toEqual(expected);
  });
});
