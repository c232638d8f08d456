import { isKato } from './kato.js';

describe('isKato', () => {
  it.each(['751110000', '000000000', '711210000'])('%p is a KATO code', (code) => {
    expect(isKato(code)).toBe(true);
  });

  it.each(['', '75111000', '7511100000', '75111000a', ' 751110000', '751 110 000'])('%p is not', (code) => {
    expect(isKato(code)).toBe(false);
  });
});
