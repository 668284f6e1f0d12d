import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { seedDemoData } from '../../local/seed/demo-data';
import { until } from './support/until';

/**
 * The runtime killed with -9 while an approval waits for its approver, restarted on the same data: the
 * approver decides through the new runtime and the request completes (the wait's token, stored on the
 * request, is the same after the restart).
 */
const CHILD = path.resolve('test/integration/support/runtime-child.ts');
const dataDir = mkdtempSync(path.join(tmpdir(), 'tradeflow-approval-restart-'));
const children: ChildProcess[] = [];

interface Started { process: ChildProcess; apiUrl: string; edgeUrl: string; tableName: string; dynamoDbEndpoint: string }

function start(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the runtime exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ process: child, ...(JSON.parse(line.slice('READY '.length)) as Omit<Started, 'process'>) });
    });
  });
}

async function kill9(child: ChildProcess) {
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
  await sleep(1000);
}

const tokenFor = (apiUrl: string) => async (user: string) => (await fetch(`${apiUrl}/_local/token?user=${user}&format=text`)).text();
async function call(runtime: Started, user: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${runtime.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${await tokenFor(runtime.apiUrl)(user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await kill9(child);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an approval across a runtime restart', () => {
  it('still completes when the runtime was killed while it waited', async () => {
    let runtime = await start();
    await seedDemoData({ apiUrl: runtime.apiUrl, tokenFor: tokenFor(runtime.apiUrl) }, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    const subject = { type: 'promotion', id: 'promo-restart', ownerId: 'u-sales', departmentId: 'd-north', fields: { amount: { amountMinor: 1_000_000, currency: 'EUR' } } };
    const asked = await call(runtime, 'u-sales', 'POST', '/approvals', { subject });
    expect(asked.status).toBe(202);
    const read = (r: Started, done: (body: any) => boolean) => async () => {
      const reply = await call(r, 'u-ops', 'GET', `/approvals/${asked.body.requestId}`);
      return reply.status === 200 && done(reply.body) ? reply.body : undefined;
    };
    const pending = await until('the first task', read(runtime, (b) => b.tasks.some((t: any) => t.status === 'pending')));
    const task = pending.tasks.find((t: any) => t.status === 'pending');
    await sleep(500); // the wait has stored its token

    await kill9(runtime.process);
    runtime = await start();
    const decided = await call(runtime, task.assigneeId, 'POST', `/approvals/${asked.body.requestId}/tasks/${task.taskId}/decision`, { decision: 'approve' });
    expect(decided.status).toBe(200);
    const done = await until('the approval', read(runtime, (b) => b.request.status === 'approved'));
    expect(done.request.status).toBe('approved');
  });
});
