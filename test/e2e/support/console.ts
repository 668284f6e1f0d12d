import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser } from '../../integration/support/browser';

/**
 * A person at the web console: a fresh browser profile at a desk (1280×800) or on a phone (390×844),
 * in the en-GB locale, signed in through the console's own sign-in page; and axe-core run on every page
 * the journey visits.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Person {
  page: Page;
  context: BrowserContext;
  /** axe-core's serious and critical findings on every page visited so far, by URL */
  violations: string[];
  /** runs axe-core on the page as it is now */
  checkAccessibility(): Promise<void>;
  close(): Promise<void>;
}

export const DESK = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function openConsole(
  browser: Browser, apiUrl: string,
  options: { viewport?: { width: number; height: number }; timezoneId?: string; bypassCsp?: boolean } = {},
): Promise<Person> {
  const context = await browser.newContext({
    baseURL: apiUrl, locale: 'en-GB', timezoneId: options.timezoneId ?? 'Europe/Berlin', viewport: options.viewport ?? DESK,
    ...(options.bypassCsp ? { bypassCSP: true } : {}),
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const violations: string[] = [];
  const checkAccessibility = async () => {
    // evaluated through the debugging protocol: the console's content security policy admits no injected <script>
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
      return axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    });
    for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
      violations.push(`${page.url()}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    }
  };
  return { page, context, violations, checkAccessibility, close: () => context.close() };
}

/** Signs in on the console's sign-in page, as a person would: choose who, press Sign in. */
export async function signIn(person: Person, userId: string) {
  const { page } = person;
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in to Tradeflow' }).waitFor();
  await person.checkAccessibility();
  await page.getByLabel('Sign in as').selectOption(userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: /^Hello, / }).waitFor();
}

/** Goes somewhere through the main navigation, waits for the page's heading, checks it with axe. */
export async function navigate(person: Person, link: string, heading: string | RegExp) {
  await person.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await visited(person, heading);
}

/** Waits for a page's heading and runs axe-core on it. */
export async function visited(person: Person, heading: string | RegExp) {
  await person.page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await person.page.getByText(/^Loading /).first().waitFor({ state: 'detached' }).catch(() => {});
  await person.checkAccessibility();
}

/** Decides the approval task on the request page that is open: the decision, its comment, and back to the inbox. */
export async function decide(person: Person, decision: 'Approve' | 'Reject' | 'Request changes', comment: string) {
  await person.page.getByRole('radio', { name: decision }).check();
  await person.page.getByLabel('Comment').fill(comment);
  await person.page.getByRole('button', { name: decision }).click();
  await visited(person, 'Approvals');
}

/** Opens the home page until what `find` looks for shows under "Needs my action" (the workflows run meanwhile). */
export async function untilNeedsMyAction(person: Person, find: (needsMyAction: Locator) => Locator) {
  await expect.poll(async () => {
    await person.page.goto('/app/');
    await visited(person, /^Hello, /);
    return find(person.page.getByRole('region', { name: 'Needs my action' })).isVisible();
  }, { timeout: 60_000, interval: 500 }).toBe(true);
}

export { launchBrowser };

/** A local runtime with the demo company and the web console, and a browser: one per test file. */
export async function startConsoleWorld() {
  const { startLocalCrm } = await import('../../integration/support/local-crm');
  const { CONSOLE_DIST } = await import('../../../local/console-build');
  const [crm, browser] = await Promise.all([startLocalCrm({ consoleDir: CONSOLE_DIST }), launchBrowser()]);
  return {
    crm,
    browser,
    /** a person at the console, signed in */
    async as(userId: string, options: { viewport?: { width: number; height: number }; timezoneId?: string } = {}) {
      const person = await openConsole(browser, crm.runtime.apiUrl, options);
      await signIn(person, userId);
      return person;
    },
    async stop() {
      await browser.close().catch(() => {});
      await crm.stop();
    },
  };
}
