import { classifyMobizonCode, formEncode, mobizonDeliveryState, mobizonRecipient, parseMobizonAnswer } from './mobizon-protocol.js';
import { safeProviderMessage } from './http-call.js';

describe('Mobizon protocol', () => {
  it('classifies API result codes', () => {
    expect(classifyMobizonCode(0)).toBe('ok');
    expect(classifyMobizonCode(100)).toBe('ok');
    for (const c of [1, 2, 4, 5, 6, 11, 12]) expect(classifyMobizonCode(c)).toBe('permanent');
    for (const c of [3, 8, 9, 10, 99, 999]) expect(classifyMobizonCode(c)).toBe('retry');
  });
  it('parses answers, and only answers', () => {
    expect(parseMobizonAnswer('{"code":0,"data":{"messageId":"5"},"message":""}')).toEqual({
      code: 0,
      data: { messageId: '5' },
      message: '',
    });
    expect(parseMobizonAnswer('{"code":"1","data":{},"message":"bad"}')?.code).toBe(1);
    expect(parseMobizonAnswer('<html>502</html>')).toBeNull();
    expect(parseMobizonAnswer('{"status":"ok"}')).toBeNull();
  });
  it('maps message statuses to delivery states', () => {
    expect(mobizonDeliveryState('DELIVRD')).toBe('DELIVERED');
    for (const s of ['UNDELIV', 'REJECTD', 'EXPIRED', 'DELETED']) {
      expect(mobizonDeliveryState(s)).toBe('UNDELIVERED');
    }
    for (const s of ['NEW', 'ENQUEUD', 'ACCEPTD', 'PDLIVRD', 'whatever']) {
      expect(mobizonDeliveryState(s)).toBe('PENDING');
    }
  });
  it('encodes recipients and list parameters as the API expects', () => {
    expect(mobizonRecipient('+77011234567')).toBe('77011234567');
    expect(formEncode({ ids: ['1', '2'], text: 'иә 1', from: undefined })).toBe('ids%5B0%5D=1&ids%5B1%5D=2&text=%D0%B8%D3%99+1');
  });
  it('masks phone numbers in provider messages', () => {
    expect(safeProviderMessage('recipient 77011234567 is invalid')).toBe('recipient *** is invalid');
    expect(safeProviderMessage('номер +7 (701) 123-45-67 неверен')).toBe('номер *** неверен');
  });
});
