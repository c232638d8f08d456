import { redactText, safeError } from './safe-error.js';

describe('safe error logging', () => {
  it('redacts quoted values and digit runs (IINs, phones) from messages', () => {
    expect(redactText('invalid input syntax for type uuid: "230930647267"')).toBe('invalid input syntax for type uuid: "…"');
    expect(redactText("Key (child_iin)=('230930647267') exists")).toBe("Key (child_iin)=('…') exists");
    expect(redactText('phone +7 701 555 01 23 and 87015550123 and 230930647267')).toBe('phone [digits] and [digits] and [digits]');
    expect(redactText('childIin: check digit mismatch')).toBe('childIin: check digit mismatch');
  });

  it('keeps type, code, constraint and code locations; drops SQL, parameters and driver detail', () => {
    const e = Object.assign(new Error('duplicate key value violates unique constraint "uq_application_live_child"'), {
      name: 'QueryFailedError',
      query: 'INSERT INTO application (...) VALUES ($1, $2)',
      parameters: ['230930647267', 'Dilnaz Racingova', '+77015550123'],
      driverError: { code: '23505', constraint: 'uq_application_live_child', detail: 'Key (child_iin)=(230930647267) already exists.' },
    });
    const s = safeError(e);
    expect(s).toMatchObject({ type: 'QueryFailedError', code: '23505', constraint: 'uq_application_live_child' });
    expect(s.message).toBe('duplicate key value violates unique constraint "…"');
    expect(String(s.stack)).toMatch(/^\s+at /);
    const text = JSON.stringify(s);
    for (const secret of ['230930647267', 'Racingova', '7015550123', 'INSERT']) expect(text).not.toContain(secret);
  });
});
