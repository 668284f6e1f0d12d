import { gzipSync } from 'node:zlib';
import { buildConsole } from '../local/console-build';
import { DEFAULT_CDK_OUT, synthesize } from '../local/synth';
import { startConsoleWorld } from '../test/e2e/support/console';
import { figure, median, progress, report, round1 } from './support';
import type { Benchmark } from './support';

/**
 * The web console as a person meets it, on the local runtime with the demo data, in headless Chromium:
 * the JavaScript the first page loads (gzipped, as a CDN sends it) and the time from navigating to an
 * account's 360 page until its timeline shows (median of 5 full page loads, signed in).
 */
export const console_: Benchmark = {
  name: 'console',
  description: "web console: the first page's JavaScript (gzip) and the account 360 page's time to its timeline",
  async run() {
    await synthesize(DEFAULT_CDK_OUT, progress);
    progress((await buildConsole(progress)).reused ? 'console/dist is up to date' : 'built console/dist');
    const world = await startConsoleWorld();
    try {
      const person = await world.as('u-sales');
      const { page } = person;
      const scripts = new Map<string, number>();
      page.on('response', (response) => {
        if (response.request().resourceType() !== 'script') return;
        void response.body().then((body) => scripts.set(response.url(), gzipSync(body).length), () => {});
      });
      await page.goto('/app/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      for (const [url, bytes] of scripts) report(`${new URL(url).pathname}  ${round1(bytes / 1024)} KB gzip`);
      figure('console-js-gzip-kb', round1([...scripts.values()].reduce((a, b) => a + b, 0) / 1024), 'KB');

      const accounts = (await world.crm.as('u-sales').get('/accounts?region=North')).body.items as { id: string; code: string }[];
      const nordic = accounts.find((a) => a.code === 'NORDIC-DIST')!.id;
      const times: number[] = [];
      for (let run = 0; run < 5; run++) {
        const started = performance.now();
        await page.goto(`/app/accounts/${nordic}`);
        await page.getByRole('list', { name: 'Activities, newest first' }).getByRole('listitem').first().waitFor();
        times.push(performance.now() - started);
        progress(`360 run ${run + 1}: ${Math.round(times[run]!)} ms`);
      }
      figure('console-360-ready-ms', Math.round(median(times)), 'ms');
      await person.close();
    } finally {
      await world.stop();
    }
  },
};
