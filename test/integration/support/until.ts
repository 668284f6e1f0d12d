import { setTimeout as sleep } from 'node:timers/promises';
import { fetchWithin } from './fetch-within';

/**
 * Polls `check` until it returns a value (not undefined), or fails naming `what` after `timeoutMs`. A
 * check that has not answered within `timeoutMs` of its own (a request nobody answers) fails it too,
 * rather than holding the test until the test's own timeout with nothing to say where it stood.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await beforeDeadline(Promise.resolve(check()), Date.now() + timeoutMs, `timed out waiting for ${what}: a check did not answer`);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `work`, or an error saying `late` once `deadline` (epoch ms) has passed without it. */
async function beforeDeadline<T>(work: Promise<T>, deadline: number, late: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const lateness = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(late)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, lateness]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves once the local runtime behind `edgeUrl` is idle as of `before` (a time on its local clock;
 * its now by default): no function running, no task call, delivery or stream record under way, and no
 * Wait, timeout or retry due by then (see local/idle-probe.ts). What a test waits for before it asserts
 * that something did not happen.
 */
export async function untilIdle(edgeUrl: string, before?: Date | number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const at = before === undefined ? '' : `before=${encodeURIComponent(new Date(before).toISOString())}&`;
  for (;;) {
    const waitSeconds = Math.min(10, Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    const response = await fetchWithin(`${edgeUrl}/_local/idle?${at}waitSeconds=${waitSeconds}`);
    if (!response.ok) throw new Error(`the idle probe answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { idle: boolean; busy?: string[] };
    if (answer.idle) return;
    if (Date.now() >= deadline) throw new Error(`the local runtime did not become idle: ${answer.busy?.join('; ')}`);
  }
}

/** Whether the local runtime behind `edgeUrl` is idle right now (nothing in flight, nothing due by now). */
export async function isIdleNow(edgeUrl: string): Promise<boolean> {
  const response = await fetchWithin(`${edgeUrl}/_local/idle?waitSeconds=0`);
  if (!response.ok) throw new Error(`the idle probe answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { idle: boolean }).idle;
}

/** past the longest visibility timeout of the template's queues (the nurture router's: 6 x its 30 s timeout) */
export const QUEUE_VISIBILITY_S = 181;
/** how long the runtime waits on queue messages alone before they count as hidden by a kill */
const HIDDEN_MESSAGES_PATIENCE_MS = 10_000;

/**
 * After a kill -9: queue messages the killed runtime had received stay hidden for their queue's
 * visibility timeout (minutes), as in SQS. Given each busy answer of the idle probe, this moves the
 * local clock past that timeout, as time passing would, once such messages have been all the runtime
 * waits on for a while, so they are delivered again. Answers whether it moved the clock.
 */
export function hiddenMessagesAfterKill(edgeUrl: string): (busy: string[]) => Promise<boolean> {
  let onlyMessagesSince: number | undefined;
  return async (busy) => {
    const onlyMessages = busy.length > 0 && busy.every((b) => b.includes('SQS message'));
    onlyMessagesSince = onlyMessages ? onlyMessagesSince ?? Date.now() : undefined;
    if (onlyMessagesSince === undefined || Date.now() - onlyMessagesSince <= HIDDEN_MESSAGES_PATIENCE_MS) return false;
    const response = await fetchWithin(`${edgeUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: QUEUE_VISIBILITY_S }) });
    if (!response.ok) throw new Error(`advancing the clock: ${response.status} ${await response.text()}`);
    onlyMessagesSince = undefined;
    return true;
  };
}

/** untilIdle for a runtime restarted after a kill -9: what the killed one had taken from its queues comes back. */
export async function untilIdleAfterKill(edgeUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const passHidden = hiddenMessagesAfterKill(edgeUrl);
  for (;;) {
    const response = await fetchWithin(`${edgeUrl}/_local/idle?waitSeconds=2`);
    if (!response.ok) throw new Error(`the idle probe answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { idle: boolean; busy?: string[] };
    if (answer.idle) return;
    await passHidden(answer.busy ?? []);
    if (Date.now() >= deadline) throw new Error(`the local runtime did not become idle: ${answer.busy?.join('; ')}`);
  }
}
