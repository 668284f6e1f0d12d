import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureOf } from '../../functions/events/inbound-events';

describe('the inbound signature', () => {
  it('is v2= and the hex HMAC-SHA256 of "<timestamp>.<idempotency-key>.<body>", as the README tells senders', () => {
    const expected = createHmac('sha256', 's3cret').update('1732400000.order-SO-1001.{"a":1}').digest('hex');
    expect(signatureOf('s3cret', '1732400000', 'order-SO-1001', '{"a":1}')).toBe(`v2=${expected}`);
    expect(signatureOf('s3cret', '1732400001', 'order-SO-1001', '{"a":1}')).not.toBe(`v2=${expected}`);
    expect(signatureOf('s3cret', '1732400000', 'order-SO-1002', '{"a":1}')).not.toBe(`v2=${expected}`);
  });
});
