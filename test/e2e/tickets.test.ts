import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, startConsoleWorld, visited } from './support/console';

/**
 * A service agent works a ticket to closed in the console: the team's queue (breaching soonest first),
 * the ticket page (respond, wait on the customer, the customer's reply, resolve, close) and the ticket on
 * its account's page. axe-core checks every page on the way.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

const DEMO_TICKET = 'Damaged pallet in delivery 4711';

describe('service tickets in the console', () => {
  it('a service agent works a ticket from the queue to closed', async () => {
    const agent = await world.as('u-service');
    const { page } = agent;
    // home: the tickets assigned to me
    await page.getByRole('region', { name: 'My tickets' }).getByRole('link', { name: DEMO_TICKET }).waitFor();
    await agent.checkAccessibility();
    await navigate(agent, 'Tickets', 'Ticket queue');
    const row = page.getByRole('table', { name: 'Open tickets of my team, breaching soonest first' }).getByRole('row', { name: new RegExp(DEMO_TICKET) });
    await row.getByText(/^due /).waitFor();
    await row.getByRole('link', { name: DEMO_TICKET }).click();
    await visited(agent, DEMO_TICKET);
    await page.getByRole('region', { name: 'Service level' }).getByText(/^due /).first().waitFor();

    const work = page.getByRole('region', { name: 'Work the ticket' });
    const status = work.getByRole('status');
    await work.getByLabel('Message or note').fill('Replacements go out with tomorrow\'s delivery. Could you send photos of the broken cases?');
    await work.getByRole('button', { name: 'Send response' }).click();
    await status.getByText('The ticket is open.').waitFor();
    await page.getByRole('region', { name: 'Service level' }).getByText(/^answered /).waitFor();

    await work.getByRole('button', { name: 'Wait on customer' }).click();
    await status.getByText('The ticket is waiting on customer.').waitFor();
    await page.getByRole('region', { name: 'Service level' }).getByText('clock stopped').first().waitFor();
    await agent.checkAccessibility();

    await work.getByLabel('Message or note').fill('Photos received');
    await work.getByRole('button', { name: 'Customer replied' }).click();
    await status.getByText('The ticket is open.').waitFor();
    await work.getByLabel('Message or note').fill('Credit for the two cases booked');
    await work.getByRole('button', { name: 'Resolve' }).click();
    await status.getByText('The ticket is resolved.').waitFor();
    await work.getByRole('button', { name: 'Close' }).click();
    await status.getByText('The ticket is closed.').waitFor();
    await page.getByRole('region', { name: 'Ticket', exact: true }).getByText('closed', { exact: true }).waitFor();
    await page.getByRole('list', { name: 'What was done, oldest first' }).getByText('wait on customer').waitFor();
    await agent.checkAccessibility();

    // the queue no longer shows it; the account's page does, and its timeline tells the story
    await navigate(agent, 'Tickets', 'Ticket queue');
    await page.getByRole('heading', { name: 'Open a ticket' }).waitFor();
    expect(await page.getByRole('link', { name: DEMO_TICKET }).count()).toBe(0);
    await page.goto('/app/accounts');
    await visited(agent, 'Accounts');
    await page.getByRole('link', { name: 'Nordic Distribution GmbH' }).click();
    await visited(agent, 'Nordic Distribution GmbH');
    await page.getByRole('region', { name: 'Service tickets' }).getByRole('row', { name: new RegExp(`${DEMO_TICKET}.*closed`) }).waitFor();
    await page.getByRole('list', { name: 'Activities, newest first' }).getByText(`Ticket closed: ${DEMO_TICKET}`).waitFor();
    await agent.checkAccessibility();

    expect(agent.violations).toEqual([]);
    await agent.close();
  });
});
