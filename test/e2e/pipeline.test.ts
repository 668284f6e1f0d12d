import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, startConsoleWorld, visited } from './support/console';

/**
 * The pipeline board with the keyboard alone: a rep moves a deal to the next stage (choose the stage,
 * then Move), the columns' counts and totals follow, and the move is still there after a reload.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

describe('the pipeline board', () => {
  it('a rep moves a deal to another stage with the keyboard; the column totals follow and the move persists', async () => {
    const rep = await world.as('u-sales');
    const { page } = rep;
    await navigate(rep, 'Pipeline', 'Pipeline');
    const column = (stage: string) => page.getByRole('region', { name: new RegExp(`^${stage} \\(`) });
    const counted = async (stage: string) => (await column(stage).getByRole('heading').textContent())?.replace(/\s+/g, ' ');
    const total = (stage: string) => column(stage).getByText(/^Total: /).textContent();
    await expect.poll(() => counted('proposal')).toBe('proposal (1)');
    await expect.poll(() => total('proposal')).toBe('Total: €42,000.00');
    await expect.poll(() => total('negotiation')).toBe('Total: €120,000.00');
    await column('proposal').getByRole('article', { name: 'Summer beverages listing' }).waitFor();

    // keyboard only: focus the card's stage, type to choose "negotiation", Tab to Move, Enter
    await page.getByLabel('Stage of Summer beverages listing').focus();
    await page.keyboard.type('negotiation');
    await expect.poll(() => page.getByLabel('Stage of Summer beverages listing').inputValue()).toBe('negotiation');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label'))).toBe('Move Summer beverages listing');
    await page.keyboard.press('Enter');

    await page.getByRole('status').getByText('Summer beverages listing moved to negotiation.').waitFor();
    await column('negotiation').getByRole('article', { name: 'Summer beverages listing' }).waitFor();
    await expect.poll(() => counted('negotiation')).toBe('negotiation (2)');
    await expect.poll(() => counted('proposal')).toBe('proposal (0)');
    await expect.poll(() => total('negotiation')).toBe('Total: €162,000.00');
    await expect.poll(() => total('proposal')).toBe('Total: €0.00');
    await rep.checkAccessibility();

    // after a reload the board reads it back from the API
    await page.reload();
    await visited(rep, 'Pipeline');
    await column('negotiation').getByRole('article', { name: 'Summer beverages listing' }).waitFor();
    await expect.poll(() => counted('negotiation')).toBe('negotiation (2)');
    await expect.poll(() => total('negotiation')).toBe('Total: €162,000.00');
    expect(rep.violations).toEqual([]);
    await rep.close();
  });
});
