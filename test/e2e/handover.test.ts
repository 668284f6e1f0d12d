import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, startConsoleWorld, visited } from './support/console';

/**
 * Ops hands a leaving rep's book over in the console: pick whose work and to whom, preview what moves,
 * start it, follow its progress to the end and read its record. A rep has no such page.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

describe('work handover in the console', () => {
  it('ops hands a rep\'s book to a colleague: preview, start, progress, record', async () => {
    const ops = await world.as('u-ops');
    const { page } = ops;
    await navigate(ops, 'Handovers', 'Work handover');
    await page.getByLabel('Whose work').selectOption({ label: 'Sam Sales' });
    await page.getByLabel('Hand it to').selectOption({ label: 'Nora North' });
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'What would move' });
    await preview.waitFor();
    const row = (kind: string) => preview.getByRole('row', { name: new RegExp(`^${kind} `) });
    await expect.poll(() => row('Accounts').textContent()).toBe('Accounts30');
    await expect.poll(() => row('Open opportunities').textContent()).toBe('Open opportunities20');
    await expect.poll(() => row('Promotions').textContent()).toBe('Promotions20');
    await ops.checkAccessibility();

    await page.getByRole('button', { name: 'Start the handover' }).click();
    await visited(ops, "Handover of Sam Sales's work");
    await page.getByText('Everything moved.').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^(\d+) of \1 items done: \1 moved, 0 could not move\.$/);
    await expect.poll(() => page.getByRole('row', { name: /^Accounts / }).textContent()).toBe('Accounts330');
    await ops.checkAccessibility();

    // the record is in the list, and the rep's accounts are Nora's now
    await navigate(ops, 'Handovers', 'Work handover');
    await page.getByRole('row', { name: /Sam Sales Nora North completed/ }).waitFor();
    const left = await world.crm.as('u-ops').get('/accounts?ownerId=u-sales');
    expect(left.body.items).toEqual([]);
    expect(ops.violations).toEqual([]);
    await ops.close();

    const rep = await world.as('u-sales');
    await expect.poll(() => rep.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Handovers' }).count()).toBe(0);
    await rep.page.goto('/app/handovers');
    await rep.page.getByRole('heading', { name: 'Not yours: you do not have access to this record' }).waitFor();
    await rep.close();
  });
});
