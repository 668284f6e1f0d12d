import type { EdgeService } from '../edge/edge-server';
import { formatOffset, type LocalClock } from '../clock';

/**
 * `GET /_local/clock` → `{ now, realNow, offsetSeconds, offset }` (how far the local clock is ahead of
 * real time); `POST /_local/clock {"advanceSeconds": N}` or `{"advanceTo": "<ISO time>"}` moves the local
 * clock forward (Wait states, task timeouts and heartbeats follow it).
 */
export function clockService(clock: LocalClock): EdgeService {
  const reply = (res: Parameters<EdgeService['handle']>[1], status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const state = () => ({
    now: clock.nowIso(),
    epochMillis: clock.now(),
    realNow: new Date().toISOString(),
    offsetSeconds: clock.offsetSeconds(),
    offset: `${formatOffset(clock.offsetSeconds())} ahead of real time`,
  });
  return {
    name: 'local clock',
    matches: (req) => (req.url ?? '').split('?')[0] === '/_local/clock',
    handle(req, res, body) {
      if (req.method === 'GET') return reply(res, 200, state());
      if (req.method !== 'POST') return reply(res, 405, { message: 'use GET or POST' });
      let request: { advanceSeconds?: unknown; advanceTo?: unknown };
      try {
        request = JSON.parse(body.toString('utf8') || '{}') as typeof request;
      } catch {
        return reply(res, 400, { message: 'the body must be JSON: {"advanceSeconds": N} or {"advanceTo": "<ISO time>"}' });
      }
      let seconds = request.advanceSeconds;
      if (request.advanceTo !== undefined) {
        const to = typeof request.advanceTo === 'string' ? Date.parse(request.advanceTo) : Number.NaN;
        if (Number.isNaN(to)) return reply(res, 400, { message: 'advanceTo must be an ISO time, e.g. 2026-12-07T09:00:00Z' });
        // a time already passed leaves the clock where it is: it never runs backwards
        seconds = Math.max(0, (to - clock.now()) / 1000);
      }
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        return reply(res, 400, { message: 'advanceSeconds must be a number >= 0' });
      }
      clock.advance(seconds);
      reply(res, 200, state());
    },
  };
}
