import { Type } from 'class-transformer';
import { IsIn, Length, Matches, MaxLength, ValidateNested, validateSync } from 'class-validator';
import { nulPath, validationError } from './validation.pipe.js';

describe('NUL characters in arguments', () => {
  it('names the first field that holds one', () => {
    expect(nulPath('fine', 'reason')).toBeNull();
    expect(nulPath('a\u0000b', 'reason')).toBe('reason');
    expect(nulPath({ name: 'ok', tags: ['x', 'y\u0000'] }, 'input')).toBe('input.tags[1]');
    expect(nulPath([{ ageGroup: '\u0000' }], 'input')).toBe('input[0].ageGroup');
    expect(nulPath({ n: 1, b: true, d: null }, 'input')).toBeNull();
  });
});

describe('every validation problem at once', () => {
  class Child {
    @Matches(/^\d{12}$/, { message: 'iin must be 12 digits' })
    iin = 'x';
  }
  class Input {
    @Matches(/^\d{12}$/, { message: 'childIin must be 12 digits' })
    childIin = '123';

    @Length(1, 5, { message: 'childName must be 1 to 5 characters' })
    childName = 'far too long';

    @MaxLength(3)
    phone = '+77010000000';

    @IsIn(['kk', 'ru'])
    language = 'kk';

    @ValidateNested()
    @Type(() => Child)
    child = new Child();
  }

  it('lists one entry per bad field (first constraint), keeps the first as message and field', () => {
    const e = validationError(validateSync(new Input()));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.field).toBe('childIin');
    expect(e.message).toBe('childIin must be 12 digits');
    expect(e.fields).toEqual([
      { field: 'childIin', reason: 'matches', message: 'childIin must be 12 digits' },
      { field: 'childName', reason: 'isLength', message: 'childName must be 1 to 5 characters' },
      { field: 'phone', reason: 'maxLength', message: expect.stringMatching(/^phone must be shorter/) as unknown },
      { field: 'child.iin', reason: 'matches', message: 'child.iin must be 12 digits' },
    ]);
  });

  it('with nothing reported still names the input', () => {
    expect(validationError([]).fields).toEqual([{ field: 'input', reason: 'invalid', message: 'input is invalid' }]);
  });
});
