import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, startConsoleWorld } from './support/console';

/**
 * A manager reads the dashboard: the North branch's tree by default, an ERP order and its payment on the
 * accounts tile (money in the reader's locale), the revenue chart named for a screen reader, then only
 * their own work, which holds none of the branch's accounts.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

describe('the dashboard', () => {
  it('a manager reads their branch\'s measures, filters to their own work, and the page passes axe', async () => {
    const { crm } = world;
    const clock = await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json() as { now?: string; epochMillis?: number };
    const month = new Date(clock.now ?? clock.epochMillis ?? Date.now()).toISOString().slice(0, 7);
    const erp = (detailType: string, detail: object) => ({ source: 'ext.erp', detailType, detail });
    await crm.putEvents([erp('Order.Placed', { orderId: 'SO-DASH', accountCode: 'NORDIC-DIST', placedAt: `${month}-01T08:00:00Z`, amount: { amountMinor: 1_234_00, currency: 'EUR' } })]);
    const nordic = async () => {
      const tile = await crm.as('u-north-manager').get(`/measures/tiles/accounts?from=${month}`);
      return ((tile.body.totals ?? []) as { label?: string; counts: Record<string, number> }[]).find((t) => t.label === 'Nordic Distribution GmbH')?.counts ?? {};
    };
    await crm.eventually(nordic, (counts) => counts.orders === 1, 30_000);
    await crm.putEvents([erp('Payment.Received', { paymentId: 'PAY-DASH', accountCode: 'NORDIC-DIST', receivedAt: `${month}-01T20:00:00Z`, amount: { amountMinor: 1_234_00, currency: 'EUR' }, orderId: 'SO-DASH' })]);
    await crm.eventually(nordic, (counts) => counts.payments === 1, 30_000);

    const manager = await world.as('u-north-manager');
    const { page } = manager;
    await navigate(manager, 'Dashboard', 'Dashboard');
    await expect.poll(() => page.getByLabel('Whose figures').locator('option:checked').textContent()).toBe('Sales North (with the departments under it)');
    const accounts = page.getByRole('region', { name: 'Accounts: orders, payment days and revenue' });
    const row = accounts.getByRole('row', { name: /Nordic Distribution GmbH/ });
    // account, orders, order value, payments, revenue, average payment days (12 hours)
    await expect.poll(async () => (await row.getByRole('cell').allTextContents()).join(' | ')).toBe('1 | €1,234.00 | 1 | €1,234.00 | 0.5');
    await accounts.getByRole('img', { name: /^Revenue by month: .*€1,234\.00/ }).waitFor();
    await page.getByRole('region', { name: 'Pipeline: conversion and time per stage' }).getByRole('columnheader', { name: 'Average days in stage' }).waitFor();
    await manager.checkAccessibility();

    await page.getByLabel('Whose figures').selectOption({ label: 'My own work' });
    await accounts.getByText('Nothing measured in these months yet.').waitFor();
    expect(page.url()).toContain('scope=own');
    await manager.checkAccessibility();
    expect(manager.violations).toEqual([]);
    await manager.close();
  });
});
