import { describe, expect, it } from 'vitest';
import { authenticate } from '../../functions/events/inbound-events';
import { parseInput } from '../../functions/platform/validation';
import type { DomainError } from '../../functions/platform/errors';
import { isDomainError } from '../../functions/platform/http';
import { ApprovalPolicySchema } from '../../schemas/approvals/policy';
import { StartApprovalBodySchema } from '../../schemas/approvals/request';
import { PageQuerySchema } from '../../schemas/common';
import { ConditionSchema } from '../../schemas/conditions';
import * as z from '../../schemas/zod';

/** What a client reads when its input is refused: each bad field with a message a person can act on. */

/** The refusal parseInput throws, as the 400's `errors` list it. */
function refusal(schema: z.ZodMiniType, input: unknown, where: 'body' | 'query' = 'body') {
  try {
    parseInput(schema, input, where);
  } catch (error) {
    if (isDomainError(error)) return error.issues.map(({ field, message }) => ({ field, message }));
    throw error;
  }
  throw new Error('the input was accepted');
}

/** A value nested `depth` levels deep: {"a":{"a":...{"a":1}}}. */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

const freeForm = (fields: unknown) => ({ subject: { type: 'gift-card', id: 'g-1', fields } });

describe('messages a person can act on', () => {
  it('a missing field "is required", whatever its type', () => {
    const schema = z.strictObject({ name: z.string(), tier: z.enum(['key', 'standard']), amount: z.number() });
    expect(refusal(schema, {})).toEqual([
      { field: 'body.name', message: 'is required' },
      { field: 'body.tier', message: 'is required' },
      { field: 'body.amount', message: 'is required' },
    ]);
  });

  it('a query parameter that is not a number "must be a number"', () => {
    expect(refusal(PageQuerySchema, { limit: 'ten' }, 'query')).toEqual([{ field: 'query.limit', message: 'must be a number' }]);
  });

  it('a value of the wrong type still says what was expected', () => {
    expect(refusal(z.strictObject({ name: z.string() }), { name: 7 })[0]!.message).toMatch(/expected string/);
  });
});

describe('free-form JSON is bounded before it is accepted', () => {
  it('accepts ordinary subject fields', () => {
    expect(() => parseInput(StartApprovalBodySchema, freeForm({ amount: { amountMinor: 100, currency: 'EUR' }, tags: ['a', 'b'], ratio: 0.25 }), 'body')).not.toThrow();
  });

  it('refuses nesting deeper than the limit, naming the field, even 10,000 levels deep', () => {
    for (const depth of [40, 10_000]) {
      const [issue] = refusal(StartApprovalBodySchema, freeForm({ deep: nested(depth) }));
      expect(issue!.field).toBe('body.subject.fields');
      expect(issue!.message).toMatch(/nested more than 8 levels/);
    }
  });

  it('refuses numbers beyond what DynamoDB and JavaScript hold exactly, naming where', () => {
    expect(refusal(StartApprovalBodySchema, freeForm({ amount: { amountMinor: 2 ** 53 + 2 } }))).toEqual([
      { field: 'body.subject.fields.amount.amountMinor', message: expect.stringMatching(/between -9007199254740991 and 9007199254740991/) },
    ]);
    expect(refusal(StartApprovalBodySchema, freeForm({ tiny: [1e-200] }))[0]!.field).toBe('body.subject.fields.tiny.0');
  });

  it('refuses fields larger than the limit', () => {
    const [issue] = refusal(StartApprovalBodySchema, freeForm({ note: 'x'.repeat(1024 * 1024) }));
    expect(issue).toEqual({ field: 'body.subject.fields', message: expect.stringMatching(/at most 16 KB of JSON/) });
  });
});

describe('approval policy conditions', () => {
  const policy = (value: unknown) => ({
    id: 'big', name: 'Big', subjectType: 'discount',
    steps: [{
      name: 'A', condition: { field: 'x', op: 'gt', value }, approvers: [{ kind: 'role', role: 'finance' }], mode: { kind: 'any' },
      dueIn: { amount: 1, unit: 'workingDays' }, onTimeout: { action: 'approve' },
    }],
  });

  it('refuse a number the table cannot store exactly, naming the value', () => {
    expect(ConditionSchema.safeParse({ field: 'x', op: 'eq', value: 1e20 }).success).toBe(false);
    expect(refusal(ApprovalPolicySchema, policy(1e20))).toEqual([{ field: 'body.steps.0.condition.value', message: expect.stringMatching(/between/) }]);
    expect(() => parseInput(ApprovalPolicySchema, policy(5_000_000), 'body')).not.toThrow();
  });
});

describe('the inbound system header', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('%s is an unknown system (401), not a crash', async (system) => {
    const refused = await authenticate({ 'x-tradeflow-source': system }, '{}', 1_800_000_000).catch((error: unknown) => error);
    expect(isDomainError(refused)).toBe(true);
    expect((refused as DomainError).kind).toBe('unauthenticated');
    expect((refused as DomainError).message).toMatch(/x-tradeflow-source must name a known system/);
  });

  it('an idempotency key outside its alphabet is a 400 naming the header, before the signature is checked', async () => {
    const key = Buffer.from('order-€✓-1001', 'utf8').toString('latin1'); // how Node reads UTF-8 bytes in a header
    const refused = await authenticate({ 'x-tradeflow-source': 'erp', 'idempotency-key': key }, '{}', 1_800_000_000).catch((error: unknown) => error);
    expect(isDomainError(refused)).toBe(true);
    expect((refused as DomainError).kind).toBe('invalid');
    expect((refused as DomainError).issues).toEqual([{ field: 'header.idempotency-key', message: 'must be 8-128 letters, digits or . _ : -' }]);
  });
});
