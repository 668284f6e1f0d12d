import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalClock } from '../../local/clock';
import { createDelivery, type DeliveryJob } from '../../local/eventbridge/delivery';
import type { TargetSenders } from '../../local/eventbridge/targets';

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

const job = (id: string): DeliveryJob => ({
  event: { version: '0', id, 'detail-type': 'Payment.Received', source: 'ext.erp', account: '000000000000', time: '2026-11-23T11:00:00Z', region: 'us-east-1', resources: [], detail: { paymentId: id } },
  rule: { name: 'erp-activity', arn: 'arn:aws:events:us-east-1:000000000000:rule/crm/erp-activity' },
  target: { Id: 'workflow', Arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:record' },
  ingestedAt: Date.now(),
});

const senders = (send: TargetSenders['send']): TargetSenders => ({ send, sendToDeadLetter: async () => {}, destroy: () => {} });

describe('the local EventBridge keeps accepted deliveries across a crash', () => {
  it('makes, after a restart, a delivery accepted before it and not made then; a made one is not made again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-delivery-'));
    dirs.push(dir);
    const pendingFile = path.join(dir, 'pending-deliveries.jsonl');
    const clock = createLocalClock();

    // the first process delivers PAY-1, and dies (never stopped) while PAY-2's delivery hangs
    const first = vi.fn(async (_target, _input, event: DeliveryJob['event']) => {
      if (event.id === 'PAY-2') await new Promise(() => {});
    });
    const before = createDelivery({ clock, senders: senders(first), log: () => {}, pendingFile });
    before.enqueue(job('PAY-1'));
    before.enqueue(job('PAY-2'));
    await vi.waitFor(() => expect(first).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(readFileSync(pendingFile, 'utf8')).toContain('"t":"done"'));

    const second = vi.fn(async () => {});
    const after = createDelivery({ clock, senders: senders(second), log: () => {}, pendingFile });
    expect(second).not.toHaveBeenCalled(); // not before resume(): the targets may not be up yet
    after.resume();
    await vi.waitFor(() => expect(after.pending()).toBe(0));
    expect(second.mock.calls.map((call) => (call as unknown as [unknown, unknown, DeliveryJob['event']])[2].id)).toEqual(['PAY-2']);
    // everything settled: the journal starts over
    expect(readFileSync(pendingFile, 'utf8')).toBe('');
  });
});

describe('the local EventBridge under a burst of events', () => {
  it('sends a target at most 50 deliveries at once, and a target that hangs holds back no other', async () => {
    const clock = createLocalClock();
    const queue = { Id: 'router', Arn: 'arn:aws:sqs:us-east-1:000000000000:nurture-router' };
    let atOnce = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const delivered: string[] = [];
    const send = vi.fn(async (target: DeliveryJob['target'], _input: string, event: DeliveryJob['event']) => {
      if (target.Arn !== queue.Arn) return void delivered.push(event.id);
      atOnce++;
      most = Math.max(most, atOnce);
      await new Promise<void>((resolve) => releases.push(resolve));
      atOnce--;
      delivered.push(event.id);
    });
    const delivery = createDelivery({ clock, senders: senders(send), log: () => {} });
    for (let n = 0; n < 120; n++) delivery.enqueue({ ...job(`CAPTURE-${n}`), target: queue });
    delivery.enqueue(job('PAY-1'));

    // the queue's first 50 are under way and go no further; the other target's delivery is made meanwhile
    await vi.waitFor(() => expect(delivered).toEqual(['PAY-1']));
    await vi.waitFor(() => expect(releases).toHaveLength(50));
    expect(most).toBe(50);
    // as each ends, the next begins, until all 120 are made
    while (delivered.length < 121) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(most).toBe(50);
    expect(delivery.pending()).toBe(0);
    delivery.stop();
  });
});
