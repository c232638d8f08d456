import { ALMATY_OFFSET_ISO, ALMATY_OFFSET_MINUTES, ALMATY_OFFSET_MS } from './time-zone.js';

describe('time zone', () => {
  it('is UTC+5 in every form', () => {
    expect([ALMATY_OFFSET_MINUTES, ALMATY_OFFSET_MS, ALMATY_OFFSET_ISO]).toEqual([300, 5 * 3_600_000, '+05:00']);
  });
});
