import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, navigate, startConsoleWorld, untilNeedsMyAction, visited, type Person } from './support/console';

/**
 * A promotion's whole life through the web console, each step by the person who does it: the rep applies
 * and submits; the area manager approves from the inbox; the rep sees it approved with the money reserved,
 * closes it out after it ran and files a claim; finance sends the claim back, the rep revises it from their
 * home page, finance approves it and reads the fund statement.
 * The workflows run on the local runtime; only the passing of time is the test's (the local clock).
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

const NAME = 'Harbour tasting weekend';
const DAY = 24 * 3600;

/** Reloads a page until it shows what the workflows will get to (no fixed waits). */
async function reloadUntil(person: Person, what: string | RegExp | ReturnType<Person['page']['getByRole']>) {
  const locator = typeof what === 'string' || what instanceof RegExp ? person.page.getByText(what).first() : what;
  await expect.poll(async () => {
    await person.page.reload();
    await person.page.getByRole('heading', { level: 1 }).waitFor();
    return locator.isVisible({ timeout: 3_000 }).catch(() => false);
  }, { timeout: 60_000, interval: 500 }).toBe(true);
}

describe('a promotion from application to the fund statement', () => {
  it('is applied for, approved, closed out, claimed (sent back once and revised) and paid out of its fund', async () => {
    // the rep applies and submits
    const rep = await world.as('u-sales');
    await navigate(rep, 'Promotions', 'Promotions');
    await rep.page.getByRole('link', { name: 'Apply for a promotion' }).click();
    await visited(rep, 'Apply for a promotion');
    await rep.page.getByLabel('Name').fill(NAME);
    await rep.page.getByLabel('Type').selectOption('tasting');
    await rep.page.getByLabel('Description').fill('Tastings of sparkling water at Nordic on two weekends');
    await rep.page.getByText(/Available in this fund: €150,000\.00/).waitFor();
    await rep.page.getByRole('checkbox', { name: /Sparkling Water 500 ml/ }).check();
    await rep.page.getByRole('checkbox', { name: /Nordic Distribution GmbH/ }).check();
    await rep.page.getByLabel('What for (line 1)').fill('tasting staff');
    await rep.page.getByLabel('Amount in EUR (line 1)').fill('1200');
    await rep.page.getByRole('button', { name: 'Add a line' }).click();
    await rep.page.getByLabel('What for (line 2)').fill('samples');
    await rep.page.getByLabel('Amount in EUR (line 2)').fill('300.50');
    await rep.page.getByText('Total asked: €1,500.50').waitFor();
    await rep.checkAccessibility();
    await rep.page.getByRole('button', { name: 'Save draft' }).click();
    await visited(rep, NAME);
    await rep.page.getByRole('button', { name: 'Submit for approval' }).click();
    // its approval's progress: the area manager is pending, with the deadline in the rep's zone
    await rep.page.getByText(/Nora North: pending, due \w{3} \d{1,2} \w{3}, \d\d:\d\d/).waitFor();
    await rep.checkAccessibility();

    // the area manager approves it from the inbox
    const manager = await world.as('u-north-manager');
    await navigate(manager, 'Approvals', 'Approvals');
    const row = manager.page.getByRole('row', { name: new RegExp(NAME) });
    await row.getByText('€1,500.50').waitFor();
    await row.getByText('Sam Sales').waitFor();
    await row.getByRole('link').click();
    await visited(manager, `Promotion ${NAME}`);
    await decide(manager, 'Approve', 'Good plan');
    await manager.page.getByText('Nothing waits for your decision.').waitFor();

    // the rep sees it approved, the money reserved
    await reloadUntil(rep, /Nora North: approved/);
    // the decision is the approval's; the reservation is the promotion workflow's next step, which the
    // page, refreshing itself while the promotion is submitted, shows once it is made
    await rep.page.getByRole('region', { name: 'Money' }).filter({ hasText: /Reserved€1,500\.50/ }).waitFor();
    await rep.page.getByText('“Good plan”').first().waitFor();

    // it runs and ends (business time moves on), the rep closes it out and files a claim
    await world.crm.advanceClock(25 * DAY);
    await reloadUntil(rep, 'The promotion has ended.');
    await rep.page.getByLabel('Proof of execution').fill('PHOTO-TASTING-1, PHOTO-TASTING-2');
    await rep.page.getByRole('button', { name: 'Close out' }).click();
    await rep.page.getByRole('heading', { name: 'File a claim' }).waitFor();
    await rep.page.getByText(/Still claimable: €1,500\.50/).waitFor();
    await rep.checkAccessibility();
    await rep.page.getByLabel('What for (line 1)').fill('tasting staff');
    await rep.page.getByLabel('Amount in EUR (line 1)').fill('1100');
    await rep.page.getByLabel('Evidence reference (line 1)').fill('INV-TASTING-7');
    await rep.page.getByRole('button', { name: 'Submit claim' }).click();
    await rep.page.getByRole('region', { name: 'Claims' }).getByText('submitted').waitFor();

    // finance approves the claim and reads the fund statement
    const finance = await world.as('u-finance');
    await navigate(finance, 'Finance', 'Finance');
    const claimRow = finance.page.getByRole('row', { name: new RegExp(`Expense claim for ${NAME}`) });
    await reloadUntil(finance, claimRow);
    await claimRow.getByText('€1,100.00').waitFor();
    await claimRow.getByRole('link').click();
    await visited(finance, `Expense claim for ${NAME}`);
    // first sent back: a receipt is missing
    await decide(finance, 'Reject', 'INV-TASTING-7 has no VAT line: send the corrected invoice');

    // the rep finds the rejected claim under what needs their action and revises it, within what is claimable
    await untilNeedsMyAction(rep, (needs) => needs.getByText(/Revise the rejected claim of €1,100\.00/));
    await rep.page.getByRole('region', { name: 'Needs my action' }).getByRole('link', { name: 'its promotion' }).click();
    await visited(rep, NAME);
    await rep.page.getByText(/Rejected: .*INV-TASTING-7 has no VAT line/).waitFor();
    await rep.page.getByRole('button', { name: 'Revise this claim' }).click();
    await rep.page.getByRole('heading', { name: 'Revise the claim' }).waitFor();
    await rep.page.getByText(/Still claimable: €1,500\.50/).waitFor();
    await rep.page.getByLabel('Amount in EUR (line 1)').fill('1000');
    await rep.page.getByLabel('Evidence reference (line 1)').fill('INV-TASTING-7-CORRECTED');
    await rep.checkAccessibility();
    await rep.page.getByRole('button', { name: 'Save and resubmit claim' }).click();
    await rep.page.getByRole('region', { name: 'Claims' }).getByText('submitted').waitFor();

    // finance approves the revised claim
    await navigate(finance, 'Finance', 'Finance');
    await reloadUntil(finance, claimRow);
    await claimRow.getByText('€1,000.00').waitFor();
    await claimRow.getByRole('link').click();
    await visited(finance, `Expense claim for ${NAME}`);
    await finance.page.getByRole('button', { name: 'Approve' }).click();
    await visited(finance, 'Approvals');
    await navigate(finance, 'Finance', 'Finance');
    await finance.page.getByRole('link', { name: 'North trade fund 2027 H1' }).click();
    await visited(finance, 'North trade fund 2027 H1: statement');
    await reloadUntil(finance, 'Spent (claim approved)');
    const spent = finance.page.getByRole('row', { name: /Spent \(claim approved\)/ });
    await spent.getByText('€1,000.00').first().waitFor();
    await finance.page.getByText('The movements add up to the balance, to the cent.').waitFor();
    await finance.checkAccessibility();

    // and the rep's promotion shows what was claimed
    await reloadUntil(rep, rep.page.getByRole('region', { name: 'Money' }).filter({ hasText: /Claimed€1,000\.00/ }));

    for (const person of [rep, manager, finance]) expect(person.violations).toEqual([]);
    await Promise.all([rep.close(), manager.close(), finance.close()]);
  });
});

