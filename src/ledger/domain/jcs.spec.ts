import fc from 'fast-check';
import { jcs, JcsError } from './jcs.js';

const f64 = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('jcs (RFC 8785)', () => {
  it('serializes the numbers of RFC 8785 Appendix B exactly', () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of cases) expect(jcs(f64(bits))).toBe(text);
    for (const bad of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) expect(() => jcs(f64(bad))).toThrow(JcsError);
  });

  it('the RFC 8785 §3.2.2 example (numbers, string escapes, literals)', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(jcs(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // (Object.keys would list "1" first: integer-like keys; read the names from the text instead.)
    const order = [...jcs(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(order).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(jcs(input).startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
  });

  it('refuses what is not I-JSON: lone surrogates, non-finite numbers, non-JSON objects', () => {
    expect(() => jcs('a\ud800')).toThrow(JcsError);
    expect(() => jcs({ ['\udc00']: 1 })).toThrow(JcsError);
    expect(() => jcs(new Date(0))).toThrow(JcsError);
    expect(() => jcs([undefined])).toThrow(JcsError);
    expect(() => jcs(1n)).toThrow(JcsError);
    expect(jcs({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('property: equals the JSON text of the value (parses back equal), whatever the key order; idempotent', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const back = JSON.parse(JSON.stringify(v)) as unknown;
        const reversed = JSON.parse(
          JSON.stringify(v, (_k, x: unknown) =>
            x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x,
          ),
        ) as unknown;
        const text = jcs(back);
        expect(jcs(reversed)).toBe(text);
        expect(JSON.parse(text)).toEqual(back);
        expect(jcs(JSON.parse(text))).toBe(text);
        // No insignificant whitespace, and the same string escapes as JSON.stringify for well-formed strings.
        if (typeof back === 'string') expect(text).toBe(JSON.stringify(back));
      }),
    );
  });
});
