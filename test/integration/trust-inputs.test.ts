import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../functions/events/inbound-events';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { startLocalCrm, type LocalCrm, type Reply } from './support/local-crm';

/**
 * Input an outside caller controls, on the whole local runtime: approval requests name real subjects
 * (read from their records) and free-form JSON stays within what the table and the workflows can hold;
 * headers, condition values and tokens that used to crash or mumble get a problem naming what is wrong.
 */
let crm: LocalCrm;
let erpSecret: string;
let promotion: { id: string; name: string; money: { budgetMinor: number; currency: string } };

/** One policy for a free-form subject type (no record behind it), decided by finance. */
const FREE_FORM_TYPE = 'trade-fair-stand';

beforeAll(async () => {
  crm = await startLocalCrm();
  const secrets = new SecretsManagerClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  erpSecret = (await secrets.send(new GetSecretValueCommand({ SecretId: 'tradeflow/inbound/erp' }))).SecretString!;
  secrets.destroy();
  const drafts = await crm.as('u-sales').get('/promotions?status=draft');
  promotion = drafts.body.items.find((p: { name: string }) => p.name.startsWith('Summer water'));
  const policy = {
    id: 'trade-fair-stands', name: 'Trade fair stands', subjectType: FREE_FORM_TYPE,
    steps: [{ name: 'Finance', approvers: [{ kind: 'user', userId: 'u-finance' }], mode: { kind: 'any' }, dueIn: { amount: 3, unit: 'workingDays' }, onTimeout: { action: 'approve' } }],
  };
  expect((await crm.as('u-ops').post('/approval-policies', policy)).status).toBe(201);
  expect((await crm.as('u-ops').post('/approval-policies/trade-fair-stands/activate', { version: 1 })).status).toBe(200);
}, 120_000);
afterAll(async () => crm?.stop());

const expectProblem = (reply: Reply, status: number) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.contentType).toBe('application/problem+json');
};
const fieldsOf = (reply: Reply) => (reply.body.errors ?? []).map((e: { field: string }) => e.field);
const mailsTo = (to: string) => fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${to}`).then((r) => r.json() as Promise<any[]>);
const nested = (depth: number): unknown => JSON.parse(nestedJson(depth));
/** {"a":{"a":...1}} as text: JSON.stringify itself overflows the stack on 10,000 levels */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('approval requests name real subjects', () => {
  it('a subject that does not exist and one the caller may not read get the same refusal, and nothing is requested', async () => {
    const missing = await crm.as('u-sales').post('/approvals', { subject: { type: 'promotion', id: 'no-such-promotion' } });
    const notTheirs = await crm.as('u-sales-south').post('/approvals', { subject: { type: 'promotion', id: promotion.id } });
    expectProblem(missing, 400);
    expectProblem(notTheirs, 400);
    expect(fieldsOf(missing)).toEqual(['body.subject.id']);
    expect(notTheirs.body.errors).toEqual(missing.body.errors);
  });

  it('refuses what the record says when the body says it, and reads it from the record; the mail prints only that', async () => {
    const phishing = 'Your account is locked: sign in at http://evil.example/login';
    const forged = await crm.as('u-sales').post('/approvals', {
      subject: {
        type: 'promotion', id: promotion.id, ownerId: 'u-sales-south', title: phishing, facts: [{ label: 'Note', text: phishing }],
        fields: { amount: { amountMinor: 1, currency: 'EUR' } },
      },
    });
    expectProblem(forged, 400);
    expect(fieldsOf(forged).sort()).toEqual(['body.subject.facts', 'body.subject.fields', 'body.subject.ownerId', 'body.subject.title']);

    const asked = await crm.as('u-sales').post('/approvals', { subject: { type: 'promotion', id: promotion.id } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const view = await crm.eventually(() => crm.as('u-sales').get(`/approvals/${asked.body.requestId}`), (r) => r.status === 200 && r.body.tasks.length > 0, 20_000);
    expect(view.body.request.subject).toMatchObject({
      type: 'promotion', id: promotion.id, ownerId: 'u-sales', departmentId: 'd-north', title: promotion.name,
      fields: { amount: { amountMinor: promotion.money.budgetMinor, currency: promotion.money.currency } },
    });
    await crm.untilIdle();
    const mail = (await mailsTo('manager.north@tradeflow.example')).find((m) => m.text.includes(`/app/approvals/${asked.body.requestId}`));
    expect(mail.subject).toContain(`promotion “${promotion.name}”`);
    expect(`${mail.subject}${mail.text}${mail.html}`).not.toContain('evil.example');
  });

  it('a discount names an opportunity and the discount asked for; the opportunity gives the rest', async () => {
    const opportunity = (await crm.as('u-sales').get('/opportunities')).body.items.find((o: { ownerId: string }) => o.ownerId === 'u-sales');
    const unsaid = await crm.as('u-sales').post('/approvals', { subject: { type: 'discount', id: opportunity.id } });
    expectProblem(unsaid, 400);
    expect(unsaid.body.errors).toEqual([{ field: 'body.subject.fields.discountPercent', message: 'is required', code: 'custom' }]);
    const asked = await crm.as('u-sales').post('/approvals', { subject: { type: 'discount', id: opportunity.id, fields: { discountPercent: 12 } } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body.policyId).toBe('discount-approval');
    const view = await crm.eventually(() => crm.as('u-sales').get(`/approvals/${asked.body.requestId}`), (r) => r.status === 200, 20_000);
    expect(view.body.request.subject).toMatchObject({ title: opportunity.name, ownerId: 'u-sales', fields: { amount: opportunity.amount, discountPercent: 12 } });
  });

  it('a free-form subject type is for ops and admin only, and its text reaches mail HTML-escaped', async () => {
    const subject = { type: FREE_FORM_TYPE, id: `stand-${randomUUID().slice(0, 8)}`, title: 'Stand <b>B12</b>', fields: { amount: { amountMinor: 250_000, currency: 'EUR' } } };
    const bySales = await crm.as('u-sales').post('/approvals', { subject });
    expectProblem(bySales, 403);
    expect(bySales.body.detail).toMatch(/ops and admin/);
    const byAdmin = await crm.as('u-admin').post('/approvals', { subject });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(202);
    await crm.eventually(() => crm.as('u-admin').get(`/approvals/${byAdmin.body.requestId}`), (r) => r.status === 200 && r.body.tasks.length > 0, 20_000);
    await crm.untilIdle();
    const mail = (await mailsTo('finance@tradeflow.example')).find((m) => m.text.includes(`/app/approvals/${byAdmin.body.requestId}`));
    expect(mail.html).toContain('Stand &lt;b&gt;B12&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>B12');
  });
});

describe('every accepted request is one the engine can run', () => {
  const ask = (fields: unknown) => crm.as('u-admin').post('/approvals', { subject: { type: FREE_FORM_TYPE, id: `stand-${randomUUID().slice(0, 8)}`, fields } });
  const askRaw = (fieldsJson: string) =>
    crm.as('u-admin').post('/approvals', `{"subject":{"type":"${FREE_FORM_TYPE}","id":"stand-${randomUUID().slice(0, 8)}","fields":${fieldsJson}}}`);

  it('refuses subject fields too large, too deep or with numbers beyond 2^53 before answering 202, naming the field', async () => {
    const refusals: [fields: unknown, field: string][] = [
      [{ note: 'x'.repeat(1024 * 1024) }, 'body.subject.fields'],
      [{ deep: nested(40) }, 'body.subject.fields'],
      [{ amount: { amountMinor: 2 ** 53 + 2, currency: 'EUR' } }, 'body.subject.fields.amount.amountMinor'],
    ];
    for (const [fields, field] of refusals) {
      const reply = await ask(fields);
      expectProblem(reply, 400);
      expect(fieldsOf(reply)).toEqual([field]);
    }
    const deepest = await askRaw(`{"deep":${nestedJson(10_000)}}`);
    expectProblem(deepest, 400);
    expect(fieldsOf(deepest)).toEqual(['body.subject.fields']);
  });

  it('runs a request at the limits to its first task', async () => {
    const fields = { deep: nested(7), note: 'x'.repeat(15 * 1024), amount: { amountMinor: Number.MAX_SAFE_INTEGER, currency: 'EUR' } };
    const asked = await ask(fields);
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const view = await crm.eventually(() => crm.as('u-admin').get(`/approvals/${asked.body.requestId}`), (r) => r.status === 200 && r.body.tasks.length > 0, 20_000);
    expect(view.body.tasks.map((t: { assigneeId: string }) => t.assigneeId)).toEqual(['u-finance']);
    expect(view.body.request.subject.fields).toEqual(fields);
  });
});

/**
 * POST /events as a system, signed over the header as the server reads it. Node writes header text as
 * Latin-1, so a key given as UTF-8 bytes read as Latin-1 goes out as exactly those bytes (fetch refuses it).
 */
function sendEvent(system: string, key: string, body: string): Promise<Reply> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    'content-type': 'application/json', 'x-tradeflow-source': system, 'x-tradeflow-timestamp': timestamp, 'idempotency-key': key,
    'x-tradeflow-signature': signatureOf(erpSecret, timestamp, key, body),
  };
  return new Promise((resolve, reject) => {
    const sent = httpRequest(`${crm.runtime.apiUrl}/events`, { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({
        status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

describe('refusals anyone can cause are 4xx problems naming what to fix', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('x-tradeflow-source: %s is an unknown system', async (system) => {
    const body = JSON.stringify({ detailType: 'Order.Placed', detail: {} });
    const reply = await sendEvent(system, `key-${randomUUID()}`, body);
    expectProblem(reply, 401);
    expect(reply.body.detail).toMatch(/x-tradeflow-source must name a known system/);
  });

  it('an idempotency key outside Latin-1 is a 400 naming the header', async () => {
    const body = JSON.stringify({ detailType: 'Order.Placed', detail: {} });
    const reply = await sendEvent('erp', Buffer.from('order-€✓-1001', 'utf8').toString('latin1'), body);
    expectProblem(reply, 400);
    expect(fieldsOf(reply)).toEqual(['header.idempotency-key']);
  });

  it('an event detail nested 10,000 levels deep is a 400 naming the detail', async () => {
    const body = `{"detailType":"Order.Placed","detail":${nestedJson(10_000)}}`;
    const reply = await sendEvent('erp', `key-${randomUUID()}`, body);
    expectProblem(reply, 400);
    expect(fieldsOf(reply)).toEqual(['body.detail']);
  });

  it('an approval policy condition of 1e20 is a 400 naming the value', async () => {
    const reply = await crm.as('u-ops').post('/approval-policies', {
      id: 'huge-discounts', name: 'Huge', subjectType: 'discount',
      steps: [{
        name: 'Finance', condition: { field: 'discountPercent', op: 'gt', value: 1e20 }, approvers: [{ kind: 'role', role: 'finance' }],
        mode: { kind: 'any' }, dueIn: { amount: 1, unit: 'workingDays' }, onTimeout: { action: 'approve' },
      }],
    });
    expectProblem(reply, 400);
    expect(fieldsOf(reply)).toEqual(['body.steps.0.condition.value']);
  });
});

describe('errors a person can act on', () => {
  it('a missing or malformed token is a 401 problem saying which', async () => {
    const none = await crm.anonymous.get('/accounts');
    expectProblem(none, 401);
    expect(none.body.detail).toMatch(/no token/);
    const garbage = await fetch(`${crm.runtime.apiUrl}/accounts`, { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('content-type')).toBe('application/problem+json');
    expect(((await garbage.json()) as { detail: string }).detail).toMatch(/not a well-formed JWT/);
  });

  it('a missing field "is required" and a query number that is not one "must be a number"', async () => {
    const created = await crm.as('u-sales').post('/accounts', {});
    expectProblem(created, 400);
    expect(created.body.errors.find((e: { field: string }) => e.field === 'body.name').message).toBe('is required');
    const listed = await crm.as('u-sales').get('/accounts?limit=ten');
    expectProblem(listed, 400);
    expect(listed.body.errors).toEqual([{ field: 'query.limit', message: 'must be a number', code: 'invalid_type' }]);
  });

  it('an unknown route is a 404 problem', async () => {
    const reply = await crm.as('u-sales').get('/no-such-thing');
    expectProblem(reply, 404);
  });
});
