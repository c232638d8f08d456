import { normalizeToken, parseReply, TOKEN_ALPHABET } from './reply.js';

describe('parseReply', () => {
  it.each([
    ['1', 'consent'],
    ['иә', 'consent'],
    ['Иә!', 'consent'],
    ['  ИЯ ', 'consent'],
    ['да.', 'consent'],
    ['"Да"', 'consent'],
    ['«иә»', 'consent'],
    ['YES', 'consent'],
    ['yes!!!', 'consent'],
    ['0', 'refuse'],
    ['жоқ', 'refuse'],
    ['ЖОҚ', 'refuse'],
    ['жок', 'refuse'],
    ['Нет', 'refuse'],
    ['no.', 'refuse'],
    ['(нет)', 'refuse'],
  ])('%j → %s', (text, answer) => {
    expect(parseReply(text)).toEqual({ answer, code: null });
  });

  it.each(['', '   ', 'что это?', 'да нет', '1 0', 'yes please', '12', 'иәә', 'нетт', 'ok', 'дa' /* Latin a */])(
    '%j is not an answer',
    (text) => {
      expect(parseReply(text).answer).toBeNull();
    },
  );

  it('takes an offer code next to the answer, in any case', () => {
    expect(parseReply('иә abcd2345')).toEqual({ answer: 'consent', code: 'ABCD2345' });
    expect(parseReply('ABCD2345, нет')).toEqual({ answer: 'refuse', code: 'ABCD2345' });
  });
});

describe('normalizeToken', () => {
  it('accepts 6-8 characters of the alphabet, upper-cased', () => {
    expect(normalizeToken(' abcd2345 ')).toBe('ABCD2345');
    expect(normalizeToken('ABCDEF')).toBe('ABCDEF');
  });
  it('rejects look-alike digits and letters, and wrong lengths', () => {
    expect(normalizeToken('ABCD0123')).toBeNull();
    expect(normalizeToken('ABCDI234')).toBeNull();
    expect(normalizeToken('ABC23')).toBeNull();
    expect(normalizeToken('ABCDE23456')).toBeNull();
  });
  it('the alphabet has no 0, 1, O, I or L', () => {
    expect(TOKEN_ALPHABET).not.toMatch(/[01OIL]/);
  });
});
