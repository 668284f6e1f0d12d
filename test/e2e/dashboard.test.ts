import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnTicketAt, advanceClockTo, answerSurvey, nextWeekdayAt, surveyLink, zonedAt } from '../integration/support/service-desk';
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

  it('an agent reads their team\'s service figures for the system\'s month and the months they pick, in their locale, and the page passes axe', async () => {
    const { crm } = world;
    // a Monday 09:00 in Berlin (Customer Care's day starts) in the month after next: no other ticket is measured in it
    const now = new Date(crm.runtime.clock.now());
    const monday = nextWeekdayAt(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1)), 'mon', 9);
    const month = monday.toISOString().slice(0, 7);
    await advanceClockTo(crm, monday);
    const nordicId = ((await crm.as('u-sales').get('/accounts?region=North')).body.items as { id: string; code: string }[]).find((a) => a.code === 'NORDIC-DIST')!.id;
    const subject = 'Dashboard: dented kegs';
    const made = await crm.as('u-service').post('/tickets', { accountId: nordicId, subject, category: 'delivery', priority: 'high', contactEmail: 'buyer@nordic-dist.example' });
    expect(made.status).toBe(201);
    // answered after 1.5 working hours, closed after 3, rated 4
    for (const [action, hour, minute] of [['respond', 10, 30], ['close', 12, 0]] as const) {
      const done = await actOnTicketAt(crm, 'u-service', made.body.id, action, zonedAt(monday, 0, hour, minute), { text: 'New kegs are on their way' });
      expect(done.status).toBe(200);
    }
    expect((await answerSurvey((await surveyLink(crm, 'buyer@nordic-dist.example', subject, 4))!, 4)).status).toBe(200);
    await crm.eventually(() => crm.as('u-service').get(`/measures/tiles/service?from=${month}`), (r) => r.body.totals?.[0]?.counts.ratings === 1, 30_000);

    const agent = await world.as('u-service');
    const { page } = agent;
    await navigate(agent, 'Dashboard', 'Dashboard');
    await expect.poll(() => page.getByLabel('Whose figures').locator('option:checked').textContent()).toBe('Customer Care');
    // it opens on the system's month, which the local clock moved past the browser's
    await expect.poll(() => page.getByLabel('From month').inputValue()).toBe(month);
    expect(month).not.toBe(new Date().toISOString().slice(0, 7));
    const service = page.getByRole('region', { name: 'Service: SLA breaches, response and resolution times, satisfaction' });
    const monthName = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(monday);
    const row = service.getByRole('row', { name: new RegExp(`^${monthName}`) });
    // opened, reopened, first responses, working hours to the first, closed, breach rate, working hours to resolution, ratings, satisfaction
    await expect.poll(async () => (await row.getByRole('cell').allTextContents()).join(' | ')).toBe('1 | 0 | 1 | 1.5 | 1 | 0% | 3 | 1 | 4');
    await service.getByRole('img', { name: `SLA breach rate of the tickets closed, by month: ${monthName} 0%` }).waitFor();
    await service.getByText(/missed their first-response or resolution target/).waitFor();
    // picking a later last month keeps this one in the range
    const nextMonth = new Date(Date.UTC(monday.getUTCFullYear(), monday.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
    const reread = page.waitForResponse((r) => r.url().includes('/measures/tiles/service') && r.url().includes(`to=${nextMonth}`));
    await page.getByLabel('To month').fill(nextMonth);
    await reread;
    expect(page.url()).toContain(`to=${nextMonth}`);
    expect(await page.getByLabel('From month').inputValue()).toBe(month);
    await expect.poll(async () => (await row.getByRole('cell').allTextContents()).join(' | ')).toBe('1 | 0 | 1 | 1.5 | 1 | 0% | 3 | 1 | 4');
    await agent.checkAccessibility();
    expect(agent.violations).toEqual([]);
    await agent.close();
  });
});

