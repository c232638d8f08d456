import { nulPath } from './validation.pipe.js';

describe('NUL characters in arguments', () => {
  it('names the first field that holds one', () => {
    expect(nulPath('fine', 'reason')).toBeNull();
    expect(nulPath('a\u0000b', 'reason')).toBe('reason');
    expect(nulPath({ name: 'ok', tags: ['x', 'y\u0000'] }, 'input')).toBe('input.tags[1]');
    expect(nulPath([{ ageGroup: '\u0000' }], 'input')).toBe('input[0].ageGroup');
    expect(nulPath({ n: 1, b: true, d: null }, 'input')).toBeNull();
  });
});
