import { lastDayText, reasonWording, textParams } from './text-params.js';

const W = { categories: new Map([['TEACHER', { kk: 'Педагогтер', ru: 'Педагоги' }]]), ageLimitYears: 7 };

describe('text parameters', () => {
  it.each([
    ['2026-12-08', '08.12.2026'],
    ['2026-12-08 23:59', '08.12.2026'],
    ['2026-12-09 00:00', '08.12.2026'],
    ['2027-01-01 00:00', '31.12.2026'],
    ['not a date', 'not a date'],
  ])('last day of %s is %s', (v, out) => expect(lastDayText(v)).toBe(out));

  it('category codes become names in the language; dates DD.MM.YYYY', () => {
    expect(textParams('ru', { category: 'TEACHER', deadline: '2026-12-08 23:59' }, W)).toEqual({
      category: 'Педагоги',
      deadline: '08.12.2026',
    });
    expect(textParams('kk', { category: 'TEACHER', dueDate: '2026-12-09 00:00', until: '2026-12-20' }, W)).toEqual({
      category: 'Педагогтер',
      dueDate: '08.12.2026',
      until: '20.12.2026',
    });
  });

  it('reason codes are worded; the age limit is the setting', () => {
    expect(reasonWording('AGED_OUT', 'ru', W)).toBe('ребёнку исполнилось 7 лет');
    expect(reasonWording('AGED_OUT', 'ru', { ageLimitYears: 3 })).toBe('ребёнку исполнилось 3 года');
    expect(reasonWording('AGED_OUT', 'kk', W)).toBe('бала 7 жасқа толды');
    expect(textParams('kk', { reason: 'GROUP_CLOSED' }, W).reason).toBe('топ жабылды');
    expect(textParams('ru', { reason: 'WITHDRAWN' }, W).reason).toBe('заявление отозвано');
  });
});
