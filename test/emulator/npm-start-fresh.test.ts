import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

/** `npm start -- --fresh` deletes the data folder, but never under a Tradeflow still running on it. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'tradeflow-fresh-'));
let busy: Server | undefined;
afterAll(() => {
  busy?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('refuses to start fresh while something answers on its ports, and keeps the data', async () => {
  busy = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => busy!.once('listening', resolve));
  const marker = path.join(dataDir, 'records');
  writeFileSync(marker, 'kept');
  const started = promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/start.ts', '--fresh'], {
    env: { ...process.env, TRADEFLOW_DATA_DIR: dataDir, TRADEFLOW_API_PORT: String((busy.address() as AddressInfo).port) },
  });
  await expect(started).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('stop it before starting fresh') });
  expect(existsSync(marker)).toBe(true);
});
