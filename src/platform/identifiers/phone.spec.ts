import fc from 'fast-check';
import { maskPhone, normalizeKzPhone } from './phone.js';

describe('normalizeKzPhone', () => {
  it.each([
    '+7 701 234 56 78',
    '+77012345678',
    '87012345678',
    '8 (701) 234-56-78',
    '+7 (701) 234-56-78',
    '77012345678',
    '7012345678',
    '  +7-701-234-56-78  ',
  ])('%p → +77012345678', (input) => {
    expect(normalizeKzPhone(input)).toBe('+77012345678');
  });

  it.each([
    ['+7 747 000 00 01', '+77470000001'],
    ['8 775 999 99 99', '+77759999999'],
  ])('%p → %p', (input, expected) => {
    expect(normalizeKzPhone(input)).toBe(expected);
  });

  it.each([
    '',
    '+7',
    '+7 495 123 45 67', // Moscow
    '8 916 123 45 67', // Russian mobile
    '+8 701 234 56 78',
    '+1 701 234 56 78',
    '+7 701 234 56 7', // too short
    '+7 701 234 56 789', // too long
    '9 701 234 56 78',
    '8701234567a',
    '+7 701 234 56 78 ext 1',
    '7+7012345678',
    '+7.701.234.56.78',
    '++77012345678',
    '123',
  ])('rejects %p', (input) => {
    expect(normalizeKzPhone(input)).toBeNull();
  });

  it('is idempotent and always yields +77 followed by 9 digits', () => {
    const national = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }).map((ds) => '7' + ds.join(''));
    const prefix = fc.constantFrom('+7', '8', '7', '+7 ', '8 ', '');
    fc.assert(
      fc.property(prefix, national, (p, n) => {
        const formatted = `${p}(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`;
        const normalized = normalizeKzPhone(formatted);
        expect(normalized).toBe(`+7${n}`);
        expect(normalized).toMatch(/^\+77\d{9}$/);
        expect(normalizeKzPhone(normalized as string)).toBe(normalized);
      }),
    );
  });

  it('never accepts a national number that does not start with 7', () => {
    const national = fc
      .tuple(
        fc.integer({ min: 0, max: 9 }).filter((d) => d !== 7),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
      )
      .map(([first, rest]) => String(first) + rest.join(''));
    fc.assert(
      fc.property(fc.constantFrom('+7', '8', ''), national, (p, n) => {
        expect(normalizeKzPhone(p + n)).toBeNull();
      }),
    );
  });
});

describe('maskPhone', () => {
  it('keeps country, operator code and the last four digits', () => {
    expect(maskPhone('+77012345678')).toBe('+7701***5678');
  });

  it('normalizes first', () => {
    expect(maskPhone('8 (701) 234-56-78')).toBe('+7701***5678');
  });

  it('documents the caveat: landline area codes start with 7 and are accepted', () => {
    expect(normalizeKzPhone('8 (727) 250-00-00')).toBe('+77272500000');
  });

  it('fully masks anything that is not a Kazakhstan mobile number', () => {
    expect(maskPhone('+7 916 123 45 67')).toBe('***');
    expect(maskPhone('hello')).toBe('***');
  });
});
