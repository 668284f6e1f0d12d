import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, PHONE, startConsoleWorld, visited } from './support/console';

/**
 * Accounts in the web console, as people use them: a rep edits an account someone else changed meanwhile
 * and is shown the conflict (never a silent overwrite); a South rep opening a North account is told it is
 * not theirs; a bad field is named next to the field; search and filters narrow the list on the server and
 * stay in the address. axe-core checks every page visited.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

const nordicId = async () => ((await world.crm.as('u-sales').get('/accounts?region=North')).body.items as any[]).find((a) => a.code === 'NORDIC-DIST').id as string;

describe('accounts', () => {
  it('a rep who saves over a change made meanwhile is shown the conflict, reloads keeping their change, and saves both', async () => {
    const rep = await world.as('u-sales');
    const { page } = rep;
    await navigate(rep, 'Accounts', 'Accounts');
    await page.getByRole('link', { name: 'Nordic Distribution GmbH' }).click();
    await visited(rep, 'Nordic Distribution GmbH');
    await page.getByRole('link', { name: 'Edit account' }).click();
    await visited(rep, 'Edit Nordic Distribution GmbH');

    // meanwhile someone else (ops) renames it
    const id = await nordicId();
    const current = await world.crm.as('u-ops').get(`/accounts/${id}`);
    expect((await world.crm.as('u-ops').patch(`/accounts/${id}`, { version: current.body.version, name: 'Nordic Distribution GmbH & Co. KG' })).status).toBe(200);

    await page.getByLabel('City').fill('Lübeck');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Someone changed this account while you were editing' }).waitFor();
    await rep.checkAccessibility();
    await page.getByRole('button', { name: 'Reload, keeping my changes' }).click();
    await expect.poll(() => page.getByLabel('City').inputValue()).toBe('Lübeck');
    await expect.poll(() => page.getByLabel('Name').inputValue()).toBe('Nordic Distribution GmbH & Co. KG');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await visited(rep, 'Nordic Distribution GmbH & Co. KG');
    await page.getByText('North, Lübeck').waitFor();
    // and the 360 shows the timeline
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByLabel('Subject').fill('Called about the summer listing');
    await page.getByRole('button', { name: 'Log call' }).click();
    await page.getByRole('list', { name: 'Activities, newest first' }).getByText('Called about the summer listing').waitFor();
    expect(rep.violations).toEqual([]);
    await rep.close();
  });

  it('a South rep on a phone opening a North account gets a clear "not yours" page', async () => {
    const south = await world.as('u-sales-south', { viewport: PHONE, timezoneId: 'Europe/Madrid' });
    await south.page.goto(`/app/accounts/${await nordicId()}`);
    await visited(south, 'Not yours');
    await south.page.getByRole('alert').getByText(/you do not have access to this record/).waitFor();
    await south.page.getByRole('alert').getByText(/their department's records/).waitFor();
    expect(south.violations).toEqual([]);
    await south.close();
  });

  it('a new account with a bad code is refused with the message next to the field', async () => {
    const rep = await world.as('u-sales');
    await rep.page.goto('/app/accounts/new');
    await visited(rep, 'New account');
    await rep.page.getByLabel('Code').fill('x');
    await rep.page.getByLabel('Name', { exact: true }).fill('Harbour Kiosk');
    await rep.page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => rep.page.getByLabel('Code').getAttribute('aria-invalid')).toBe('true');
    await rep.page.getByText('must be 2-32 capitals, digits or -').waitFor();
    await rep.page.getByLabel('Code').fill('HARBOUR-KIOSK');
    await rep.page.getByRole('button', { name: 'Create account' }).click();
    await visited(rep, 'Harbour Kiosk');
    expect(rep.violations).toEqual([]);
    await rep.close();
  });

  it('search and filters narrow the list together, and a reload keeps them', async () => {
    const ops = await world.as('u-ops');
    const { page } = ops;
    await navigate(ops, 'Accounts', 'Accounts');
    await page.getByRole('link', { name: /^FreshMart Supermarkets/ }).waitFor();

    await page.getByLabel('Search name, code or city').fill('distribution');
    await page.getByLabel('Search name, code or city').press('Enter');
    await page.getByRole('link', { name: /^Nordic Distribution/ }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: /^FreshMart Supermarkets/ }).count()).toBe(0);

    // the same search in another region finds nothing; in its own region and status it finds the account
    await page.getByLabel('Region').selectOption('South');
    await page.getByText('No accounts match.').waitFor();
    await page.getByLabel('Region').selectOption('North');
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('link', { name: /^Nordic Distribution/ }).waitFor();
    await ops.checkAccessibility();
    expect(new URL(page.url()).searchParams.get('q')).toBe('distribution');

    // a reload (or the address shared) shows the same list
    await page.reload();
    await visited(ops, 'Accounts');
    await page.getByRole('link', { name: /^Nordic Distribution/ }).waitFor();
    expect(await page.getByLabel('Search name, code or city').inputValue()).toBe('distribution');
    expect(await page.getByLabel('Region').inputValue()).toBe('North');
    expect(await page.getByLabel('Status').inputValue()).toBe('active');
    expect(await page.getByRole('link', { name: /^FreshMart Supermarkets/ }).count()).toBe(0);

    expect(ops.violations).toEqual([]);
    await ops.close();
  });
});
