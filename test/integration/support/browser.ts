import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Debian Chromium (installed by ensure-chromium.ts before the tests) for the pages that links
 * in mail open, with a fresh profile each launch. No background networking: this machine's network is closed.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
