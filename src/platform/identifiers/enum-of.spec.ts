import { enumOf } from './enum-of.js';

describe('enumOf', () => {
  it('names each value by itself, in list order, frozen', () => {
    const Colour = enumOf(['RED', 'GREEN'] as const);
    expect(Colour).toEqual({ RED: 'RED', GREEN: 'GREEN' });
    expect(Object.keys(Colour)).toEqual(['RED', 'GREEN']);
    expect(Object.isFrozen(Colour)).toBe(true);
  });
});
