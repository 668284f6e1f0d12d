import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { seedDemoData } from '../../local/seed/demo-data';
import { listPk } from '../../schemas/keys';
import { outcomesSoFar, tableClient, writeLeads } from './support/book';
import { caller, type Caller } from './support/local-crm';
import { fetchWithin } from './support/fetch-within';
import { kill9, runtimesOnOneDataDir, type RuntimeProcess } from './support/runtime-process';
import { until } from './support/until';

/**
 * Work handover end to end, on a runtime in a process of its own: Sam Sales (u-sales) leaves Sales North.
 * His book (accounts, contacts, leads and 250 more, open deals, a running promotion, two approval tasks
 * waiting for him) goes to Nora North, one account's part of it to the sales director. The runtime is
 * killed with -9 while the handover moves items and started again on its data: the handover finishes,
 * and every item moved exactly once. The approvals are then decided by Nora, and the promotion's
 * close-out mail goes to her.
 */
const runtimes = runtimesOnOneDataDir('tradeflow-handover');
let runtime: RuntimeProcess;
afterAll(() => runtimes.cleanUp());

const as = (user: string): Caller => caller(async () => runtime.apiUrl, async () => (await fetchWithin(`${runtime.apiUrl}/_local/token?user=${user}&format=text`)).text(), fetchWithin);
const clockTo = async (at: string) => {
  const response = await fetchWithin(`${runtime.edgeUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: at }) });
  expect(response.ok).toBe(true);
};
const poll = <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000) =>
  until(what, async () => { const value = await read(); await new Promise((r) => setTimeout(r, 250)); return done(value) ? value : undefined; }, timeoutMs);

/** the records of `type` a user owns, read from the owner index as the handover finds them */
async function owned(type: string, ownerId: string): Promise<Record<string, any>[]> {
  const documents = tableClient(runtime.dynamoDbEndpoint);
  try {
    const items: Record<string, any>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new QueryCommand({
        TableName: runtime.tableName, IndexName: 'byOwner', KeyConditionExpression: 'byOwnerPk = :pk',
        ExpressionAttributeValues: { ':pk': listPk.byOwner(type, ownerId) }, ExclusiveStartKey: start,
      }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    documents.destroy();
  }
}

const LEAVER = 'u-sales';
const RECEIVER = 'u-north-manager';
/** enough pages that the kill lands while it moves them; the bench measures a book of 10,000 */
const BOOK_LEADS = 250;

describe('a work handover', () => {
  it('is for ops and admin only, and refuses a bad request naming the field', async () => {
    runtime = await runtimes.start();
    await seedDemoData({ apiUrl: runtime.apiUrl, tokenFor: async (user) => (await fetchWithin(`${runtime.apiUrl}/_local/token?user=${user}&format=text`)).text() },
      runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    const body = { fromUserId: LEAVER, toUserId: RECEIVER };
    for (const path of ['/handovers/preview', '/handovers']) {
      const refused = await as('u-sales-south').post(path, body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.contentType).toContain('application/problem+json');
    }
    const unknown = await as('u-ops').post('/handovers', { fromUserId: LEAVER, toUserId: 'u-nobody' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('body.toUserId');
    const toSelf = await as('u-ops').post('/handovers/preview', { fromUserId: LEAVER, toUserId: LEAVER });
    expect(toSelf.status).toBe(400);
    expect(JSON.stringify(toSelf.body)).toContain('body.toUserId');
    const badSplit = await as('u-ops').post('/handovers/preview', { ...body, split: [{ toUserId: 'u-sales-director' }] });
    expect(badSplit.status).toBe(400);
    expect(JSON.stringify(badSplit.body)).toContain('split');
    // ops may hand over work but not deactivate users: the records' own rule
    const deactivate = await as('u-ops').post('/handovers', { ...body, deactivate: true });
    expect(deactivate.status).toBe(403);
    // to someone who may not own customer records: the preview says what cannot move and why
    const toFinance = await as('u-ops').post('/handovers/preview', { fromUserId: LEAVER, toUserId: 'u-finance' });
    expect(toFinance.status).toBe(200);
    expect(toFinance.body.counts.account).toEqual({ move: 0, cannotMove: 3 });
    expect(toFinance.body.cannotMove[0].blocked).toContain('may not own account records');
  }, 180_000);

  it('moves the whole book once across a kill -9, and the new owner decides and is mailed from then on', async () => {
    // a running promotion: submitted, approved by the area manager, started
    const drafts = (await as(LEAVER).get('/promotions?status=draft')).body.items;
    const promotion = drafts.find((p: any) => p.name.startsWith('Summer water'));
    expect((await as(LEAVER).post(`/promotions/${promotion.id}/submit`, {})).status).toBe(202);
    const requestId = `promotion-${promotion.id}-1`;
    const asked = await poll('the promotion\'s approval task', () => as('u-ops').get(`/approvals/${requestId}`),
      (r) => r.status === 200 && r.body.tasks.some((t: any) => t.status === 'pending'));
    const managerTask = asked.body.tasks.find((t: any) => t.status === 'pending');
    expect((await as(managerTask.assigneeId).post(`/approvals/${requestId}/tasks/${managerTask.taskId}/decision`, { decision: 'approve' })).status).toBe(200);
    await poll('the promotion approved', () => as(LEAVER).get(`/promotions/${promotion.id}`), (r) => r.body.status === 'approved');
    await clockTo(promotion.startsAt.replace('T00:00:00', 'T06:00:00'));
    await poll('the promotion running', () => as(LEAVER).get(`/promotions/${promotion.id}`), (r) => r.body.status === 'active');

    // two approval tasks waiting for the leaver: a policy that names him, asked twice
    const policy = {
      id: 'handover-contracts', name: 'Contracts', subjectType: 'handover-contract',
      steps: [{ name: 'Area sales', approvers: [{ kind: 'user', userId: LEAVER }], mode: { kind: 'any' }, dueIn: { amount: 3, unit: 'workingDays' }, onTimeout: { action: 'reject', reason: 'Nobody decided in time' } }],
    };
    expect((await as('u-ops').post('/approval-policies', policy)).status).toBe(201);
    expect((await as('u-ops').post(`/approval-policies/${policy.id}/activate`, { version: 1 })).status).toBe(200);
    const requests: string[] = [];
    for (const n of [1, 2]) {
      const made = await as('u-admin').post('/approvals', { subject: { type: 'handover-contract', id: `contract-${n}`, departmentId: 'd-north', title: `Contract ${n}`, fields: { amount: { amountMinor: 100_000, currency: 'EUR' } } } });
      expect(made.status, JSON.stringify(made.body)).toBe(202);
      requests.push(made.body.requestId);
    }
    await poll('two tasks in the leaver\'s inbox', () => as(LEAVER).get('/approval-inbox'), (r) => r.body.items?.length === 2);

    // and a big book
    await writeLeads(runtime.dynamoDbEndpoint, runtime.tableName, { ownerId: LEAVER, departmentId: 'd-north' }, BOOK_LEADS);
    const accounts = (await as(LEAVER).get(`/accounts?ownerId=${LEAVER}`)).body.items;
    const freshmart = accounts.find((a: any) => a.code === 'FRESHMART');
    const body = { fromUserId: LEAVER, toUserId: RECEIVER, split: [{ toUserId: 'u-sales-director', accountIds: [freshmart.id] }] };

    const preview = await as('u-ops').post('/handovers/preview', body);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const counts = preview.body.counts;
    expect(counts.account).toEqual({ move: accounts.length, cannotMove: 0 });
    expect(counts.lead.move).toBe(BOOK_LEADS + 1);
    expect(counts.opportunity).toEqual({ move: 2, cannotMove: 0 });
    expect(counts.promotion).toEqual({ move: 2, cannotMove: 0 });
    expect(counts['approval-task']).toEqual({ move: 2, cannotMove: 0 });
    expect(preview.body.cannotMove).toEqual([]);
    const toDirector = preview.body.items.filter((i: any) => i.toUserId === 'u-sales-director').map((i: any) => i.kind).sort();
    // Freshmart, its contact, its open deal and the draft promotion that names it
    expect(toDirector).toEqual(['account', 'contact', 'opportunity', 'promotion']);

    const started = await as('u-ops').post('/handovers', body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const handoverId = started.body.id;
    const total = preview.body.total;

    // killed while it moves the book
    const movedAtKill = await until('the first items moved', async () => {
      const n = await outcomesSoFar(runtime.dynamoDbEndpoint, runtime.tableName, handoverId);
      return n > 0 ? n : undefined;
    }, 120_000);
    await kill9(runtime);
    expect(movedAtKill).toBeLessThan(total);
    runtime = await runtimes.start();

    const done = await poll('the handover completed', () => as('u-ops').get(`/handovers/${handoverId}`), (r) => r.body.status === 'completed' || r.body.status === 'failed', 400_000);
    expect(done.body.status, JSON.stringify(done.body).slice(0, 3000)).toBe('completed');
    expect(done.body.progress).toMatchObject({ total, moved: total, notMoved: 0 });
    expect(done.body.notMoved).toEqual([]);
    expect(done.body.progress.byKind.lead).toEqual({ total: BOOK_LEADS + 1, moved: BOOK_LEADS + 1, notMoved: 0 });

    // nothing moved twice: every record once (version up by one), nothing left with the leaver
    for (const type of ['ACCOUNT', 'CONTACT', 'LEAD']) expect(await owned(type, LEAVER)).toEqual([]);
    // a closed deal is history: it stays with who won it
    expect((await owned('OPPORTUNITY', LEAVER)).map((o) => o.stage)).toEqual(['closed-won']);
    const leads = await owned('LEAD', RECEIVER);
    expect(leads.filter((l) => l.id.startsWith('book-lead-')).length).toBe(BOOK_LEADS);
    expect(leads.filter((l) => l.version !== 2)).toEqual([]);
    expect(leads.every((l) => l.departmentId === 'd-north')).toBe(true);
    const directorItems = [...await owned('ACCOUNT', 'u-sales-director'), ...await owned('CONTACT', 'u-sales-director'), ...await owned('OPPORTUNITY', 'u-sales-director')];
    expect(directorItems.map((r) => r.departmentId)).toEqual(['d-company', 'd-company', 'd-company']);
    expect((await owned('PROMOTION', LEAVER)).map((p) => p.status)).toEqual([]);
    const moved = await as(RECEIVER).get(`/promotions/${promotion.id}`);
    expect(moved.body).toMatchObject({ ownerId: RECEIVER, status: 'active' });
    // its approval was decided before: it stays as it was
    expect((await as('u-ops').get(`/approvals/${requestId}`)).body.request.status).toBe('approved');

    // each task handed on once, and the new assignee decides it; the leaver no longer can
    for (const id of requests) {
      const view = (await as('u-ops').get(`/approvals/${id}`)).body;
      expect(view.tasks.map((t: any) => [t.assigneeId, t.status])).toEqual([[LEAVER, 'reassigned'], [RECEIVER, 'pending']]);
      const [old, task] = view.tasks;
      expect((await as(LEAVER).post(`/approvals/${id}/tasks/${old.taskId}/decision`, { decision: 'approve' })).status).toBe(409);
      expect((await as(RECEIVER).post(`/approvals/${id}/tasks/${task.taskId}/decision`, { decision: 'approve' })).status).toBe(200);
      await poll('the request approved', () => as('u-ops').get(`/approvals/${id}`), (r) => r.body.request.status === 'approved');
    }

    // mails read the owner at send time: the promotion's close-out request goes to its new owner
    await clockTo(new Date(Date.parse(promotion.endsAt) + 3_600_000).toISOString());
    const mails = await poll('the close-out mail', async () => (await (await fetchWithin(`${runtime.edgeUrl}/_local/ses/messages?to=manager.north@tradeflow.example`)).json()) as any[],
      (list) => list.some((m) => m.subject === `Please close out ${promotion.name}`), 120_000);
    expect(mails.some((m) => m.subject === `Please close out ${promotion.name}`)).toBe(true);
    const toLeaver = (await (await fetchWithin(`${runtime.edgeUrl}/_local/ses/messages?to=sales@tradeflow.example`)).json()) as any[];
    expect(toLeaver.some((m) => m.subject === `Please close out ${promotion.name}`)).toBe(false);

    // its record: the people it names read it; nobody else learns it exists
    expect((await as(LEAVER).get(`/handovers/${handoverId}`)).status).toBe(200);
    const stranger = await as('u-sales-south').get(`/handovers/${handoverId}`);
    expect(stranger.status).toBe(404);
    expect((await as('u-sales-south').get('/handovers/no-such-handover')).body.detail).toBe('no handover no-such-handover');
    const items = await as('u-ops').get(`/handovers/${handoverId}/items`);
    expect(items.body.items).toHaveLength(100);
    expect(items.body.items.every((i: any) => i.outcome.outcome === 'moved')).toBe(true);
    expect(items.body.nextCursor).toBe('1');
  }, 900_000);
});
