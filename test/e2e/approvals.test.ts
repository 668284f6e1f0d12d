import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, navigate, startConsoleWorld, untilNeedsMyAction, visited } from './support/console';

/**
 * An approver asks for changes instead of deciding: the rep sees what was asked on their home page and
 * the promotion, revises it and submits it again, and the approver gets the new version to decide.
 * A rep who changes their mind recalls a pending request from their own requests. An approver who will be
 * away names a delegate, and new tasks go to the delegate.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

/** The rep opens one of the demo company's draft promotions and submits it: Nora North has it to decide. */
async function submitDemoDraft(namePrefix: string) {
  const drafts = (await world.crm.as('u-sales').get('/promotions?status=draft')).body.items as { id: string; name: string }[];
  const promotion = drafts.find((p) => p.name.startsWith(namePrefix))!;
  const rep = await world.as('u-sales');
  await rep.page.goto(`/app/promotions/${promotion.id}`);
  await visited(rep, promotion.name);
  await rep.page.getByRole('button', { name: 'Submit for approval' }).click();
  await rep.page.getByText(/Nora North: pending/).waitFor();
  return { rep, promotion };
}

describe('approvals in the console', () => {
  it('the area manager requests changes; the rep revises the promotion and resubmits it', async () => {
    const { rep, promotion } = await submitDemoDraft('Summer water');

    // the area manager asks for changes, with the reason
    const manager = await world.as('u-north-manager');
    await navigate(manager, 'Approvals', 'Approvals');
    await manager.page.getByRole('row', { name: new RegExp(promotion.name) }).getByRole('link').click();
    await visited(manager, `Promotion ${promotion.name}`);
    await decide(manager, 'Request changes', 'Add the chilled display rental');

    // the rep sees it under what needs their action, and on the promotion with the approver's words
    await untilNeedsMyAction(rep, (needs) => needs.getByRole('link', { name: promotion.name }));
    await rep.page.getByRole('region', { name: 'Needs my action' }).getByRole('link', { name: promotion.name }).click();
    await visited(rep, promotion.name);
    await rep.page.getByRole('alert').getByText(/Changes requested by Nora North at step .*: Add the chilled display rental/).waitFor();

    // revises it: one more expense line, saved at the version read
    await rep.page.getByRole('link', { name: 'Revise promotion' }).click();
    await visited(rep, `Revise ${promotion.name}`);
    const lines = await rep.page.getByRole('group', { name: /^Line \d+$/ }).count();
    await rep.page.getByRole('button', { name: 'Add a line' }).click();
    await rep.page.getByLabel(`What for (line ${lines + 1})`).fill('chilled display rental');
    await rep.page.getByLabel(`Amount in EUR (line ${lines + 1})`).fill('450');
    await rep.checkAccessibility();
    await rep.page.getByRole('button', { name: 'Save changes' }).click();
    await visited(rep, promotion.name);
    await rep.page.getByText(/chilled display rental: €450\.00/).waitFor();
    await rep.page.getByRole('button', { name: 'Resubmit for approval' }).click();
    await rep.page.getByText(/Nora North: pending/).waitFor();
    await rep.checkAccessibility();

    // the area manager has the revised request to decide
    await expect.poll(async () => {
      await manager.page.reload();
      await visited(manager, 'Approvals');
      return manager.page.getByRole('row', { name: new RegExp(promotion.name) }).isVisible();
    }, { timeout: 60_000, interval: 500 }).toBe(true);
    await manager.page.getByRole('row', { name: new RegExp(promotion.name) }).getByRole('link').click();
    await visited(manager, `Promotion ${promotion.name}`);
    await manager.page.getByRole('region', { name: 'What is asked' }).getByText('€8,950.00').waitFor();

    for (const person of [rep, manager]) expect(person.violations).toEqual([]);
    await Promise.all([rep.close(), manager.close()]);
  });

  it('a rep recalls a pending request from My requests, and it leaves the approver\'s inbox', async () => {
    const { rep, promotion } = await submitDemoDraft('FreshMart snacks');

    // the manager has it waiting
    const manager = await world.as('u-north-manager');
    await navigate(manager, 'Approvals', 'Approvals');
    await manager.page.getByRole('row', { name: new RegExp(promotion.name) }).waitFor();

    // the rep finds it among their own requests and recalls it, confirming the question asked
    await navigate(rep, 'Approvals', 'Approvals');
    await rep.page.getByRole('navigation', { name: 'Approvals' }).getByRole('link', { name: 'My requests' }).click();
    const row = rep.page.getByRole('row', { name: new RegExp(promotion.name) });
    await row.getByText('pending').waitFor();
    await rep.checkAccessibility();
    await row.getByRole('link').click();
    await visited(rep, `Promotion ${promotion.name}`);
    rep.page.once('dialog', (dialog) => void dialog.accept());
    await rep.page.getByRole('button', { name: 'Recall request' }).click();
    await rep.page.getByRole('region', { name: 'What is asked' }).getByText('recalled').waitFor();
    expect(await rep.page.getByRole('button', { name: 'Recall request' }).count()).toBe(0);
    await rep.checkAccessibility();

    // gone from the approver's inbox
    await expect.poll(async () => {
      await manager.page.reload();
      await visited(manager, 'Approvals');
      return manager.page.getByRole('row', { name: new RegExp(promotion.name) }).count();
    }, { timeout: 60_000, interval: 500 }).toBe(0);

    for (const person of [rep, manager]) expect(person.violations).toEqual([]);
    await Promise.all([rep.close(), manager.close()]);
  });

  it('an approver sets herself away with a delegate, and the next request waits in the delegate\'s inbox', async () => {
    const manager = await world.as('u-north-manager');
    await manager.page.goto('/app/away');
    await visited(manager, 'Away and delegate');
    const until = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    await manager.page.getByLabel('Away until').fill(until);
    await manager.page.getByLabel('Delegate').selectOption({ label: 'Dora Director' });
    await manager.page.getByRole('button', { name: 'Set me away' }).click();
    await manager.page.getByRole('status').getByText('Saved: your new tasks go to your delegate while you are away.').waitFor();
    await manager.page.getByText(/new tasks go to Dora Director/).waitFor();
    await manager.checkAccessibility();

    // the rep asks for approval of a new promotion meanwhile
    const rep = world.crm.as('u-sales');
    const model = ((await rep.get('/promotions?status=draft')).body.items as Record<string, unknown>[])[0]
      ?? ((await rep.get('/promotions')).body.items as Record<string, unknown>[])[0]!;
    const fields = ['type', 'description', 'startsAt', 'endsAt', 'accountIds', 'productSeries', 'region', 'fundId', 'campaignId'];
    const created = await rep.post('/promotions', {
      ...Object.fromEntries(fields.filter((f) => model[f] !== undefined).map((f) => [f, model[f]])),
      name: 'Autumn tasting while Nora is away', expenseLines: [{ kind: 'tasting', amount: { amountMinor: 777_700, currency: 'EUR' } }],
    });
    expect(created.status).toBe(201);
    expect((await rep.post(`/promotions/${created.body.id}/submit`, {})).status).toBe(202);

    // the delegate finds it in her inbox, with the amount, and the away approver does not
    const delegate = await world.as('u-sales-director');
    await expect.poll(async () => {
      await delegate.page.goto('/app/approvals');
      await visited(delegate, 'Approvals');
      return delegate.page.getByRole('row', { name: /€7,777\.00/ }).count();
    }, { timeout: 60_000, interval: 500 }).toBe(1);
    await navigate(manager, 'Approvals', 'Approvals');
    expect(await manager.page.getByRole('row', { name: /€7,777\.00/ }).count()).toBe(0);

    for (const person of [manager, delegate]) expect(person.violations).toEqual([]);
    await Promise.all([manager.close(), delegate.close()]);
  });
});
