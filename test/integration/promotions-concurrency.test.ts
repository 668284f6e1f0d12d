import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * 500 reservations at once against one fund, at the reservation function's level (functions/promotions/
 * fund-ledger moveFunds, what the lifecycle's "Apply the decision" task runs) against DynamoDB Local:
 * driving 500 whole workflows is too slow for this box's test suite. The fund never goes below zero,
 * and every refusal says why.
 */
let crm: LocalCrm;
beforeAll(async () => {
  crm = await startLocalCrm();
  process.env.TABLE_NAME = crm.runtime.tableName;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = crm.runtime.dynamoDbEndpoint;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
});
afterAll(async () => crm?.stop());

describe('one fund, 500 concurrent reservations', () => {
  it('never overspends it, and explains every refusal', async () => {
    const { moveFunds, FundRefusal } = await import('../../functions/promotions/fund-ledger');
    const allocated = 100_000_00;
    const fund = await crm.as('u-finance').post('/funds', { name: 'Contended fund', region: 'North', period: '2027', allocated: { amountMinor: allocated, currency: 'EUR' } });
    expect(fund.status).toBe(201);
    const amounts = Array.from({ length: 500 }, (_, i) => 300_00 + (i % 7) * 111);
    const results = await Promise.all(amounts.map((amountMinor, i) => moveFunds({
      fundId: fund.body.id, movementId: `reserve#p${i}#1`, kind: 'reserve', amountMinor, currency: 'EUR',
      at: new Date().toISOString(), promotionId: `p${i}`, note: `promotion p${i}`,
    }).then(() => ({ ok: true as const, amountMinor }), (error: unknown) => ({ ok: false as const, error }))));
    const applied = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    const reservedSum = applied.reduce((sum, r) => sum + r.amountMinor, 0);
    expect(reservedSum).toBeLessThanOrEqual(allocated);
    expect(applied.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.error).toBeInstanceOf(FundRefusal);
      expect((r.error as Error).message).toMatch(/available; reserving .* would take it below zero/);
    }
    const statement = await crm.as('u-finance').get(`/funds/${fund.body.id}/statement`);
    expect(statement.body).toMatchObject({ balances: true, fund: { reservedMinor: reservedSum, availableMinor: allocated - reservedSum } });
    expect(statement.body.entries.filter((e: any) => e.kind === 'reserve')).toHaveLength(applied.length);
  });
});
