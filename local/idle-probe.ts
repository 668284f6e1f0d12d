import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalClock } from './clock';
import type { EdgeService } from './edge/edge-server';

/**
 * One part of the runtime that can have work under way. `busy` names that work, a few words per kind,
 * and is empty when there is none. `before` is a time on the local clock (epoch ms): work that waits
 * for a later time is not under way.
 */
export interface ActivitySource {
  busy(before: number): string[] | Promise<string[]>;
}

export interface IdleAnswer {
  idle: boolean;
  /** the `before` the answer is for (ISO) */
  before: string;
  /** what was still under way when the wait ended; only when not idle */
  busy?: string[];
}

/** between the two looks that must both find nothing: long enough for one piece of work to hand over to the next */
const SECOND_LOOK_MS = 10;
const LOOK_AGAIN_MS = 25;
const DEFAULT_WAIT_SECONDS = 10;
const MAX_WAIT_SECONDS = 60;

/** The local clock's own part: a timer due by `before` is a Wait, timeout, retry or schedule about to fire. */
export function clockTimers(clock: LocalClock): ActivitySource {
  return {
    busy(before) {
      const due = clock.pendingTimers().filter((at) => at <= before);
      if (due.length === 0) return [];
      return [`${due.length} timer(s) on the local clock due by ${new Date(before).toISOString()}, the first at ${new Date(due[0]!).toISOString()}`];
    },
  };
}

/** A source that is busy while `count()` is above zero. */
export function countedActivity(what: string, count: () => number): ActivitySource {
  return {
    busy() {
      const n = count();
      return n > 0 ? [`${n} ${what}`] : [];
    },
  };
}

/**
 * Resolves as soon as no source is busy in two looks in a row (the second begun after the first has
 * ended), or when `waitMs` has passed, with what was still busy then. The second look catches work that
 * had just handed over to other work.
 */
export async function awaitIdle(sources: ActivitySource[], before: number, waitMs: number, signal?: AbortSignal): Promise<IdleAnswer> {
  const deadline = Date.now() + waitMs;
  const answer = (busy: string[]): IdleAnswer => ({ idle: busy.length === 0, before: new Date(before).toISOString(), ...(busy.length ? { busy } : {}) });
  let quietLooks = 0;
  for (;;) {
    const busy = (await Promise.all(sources.map((source) => source.busy(before)))).flat();
    quietLooks = busy.length === 0 ? quietLooks + 1 : 0;
    if (quietLooks === 2) return answer([]);
    if (busy.length > 0 && (Date.now() >= deadline || signal?.aborted)) return answer(busy);
    await sleep(quietLooks === 1 ? SECOND_LOOK_MS : LOOK_AGAIN_MS);
  }
}

/**
 * `GET /_local/idle?before=<ISO time>&waitSeconds=<n>`: answers `{"idle": true, "before": ...}` as soon
 * as the runtime is idle, or after waitSeconds (default 10, at most 60) `{"idle": false, "before": ...,
 * "busy": [...]}` naming what was still under way. `before` is a time on the local clock, by default its
 * now: executions waiting for a task token, or on a Wait, timeout or retry due after it, are idle. Tests
 * ask it to show that something did not happen, where a fixed sleep would only hope so.
 */
export function idleProbeService(clock: LocalClock, sources: ActivitySource[]): EdgeService {
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const all = [clockTimers(clock), ...sources];
  return {
    name: 'idle probe',
    matches: (req) => (req.url ?? '').split('?')[0] === '/_local/idle',
    async handle(req, res) {
      if (req.method !== 'GET') return reply(res, 405, { message: 'use GET' });
      const query = new URL(req.url ?? '/', 'http://local').searchParams;
      const beforeText = query.get('before');
      const before = beforeText === null ? clock.now() : Date.parse(beforeText);
      if (Number.isNaN(before)) return reply(res, 400, { message: `before must be an ISO 8601 time, got ${JSON.stringify(beforeText)}` });
      const waitSeconds = Number(query.get('waitSeconds') ?? DEFAULT_WAIT_SECONDS);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
        return reply(res, 400, { message: `waitSeconds must be a number from 0 to ${MAX_WAIT_SECONDS}` });
      }
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      const answer = await awaitIdle(all, before, waitSeconds * 1000, gone.signal);
      if (!gone.signal.aborted) reply(res, 200, answer);
    },
  };
}
