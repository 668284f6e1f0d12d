import type { EdgeService } from '../edge/edge-server';
import type { LocalClock } from '../clock';

/**
 * `GET /_local/clock` → `{ now, offsetSeconds }`; `POST /_local/clock {"advanceSeconds": N}` moves the
 * local clock forward (Wait states, task timeouts and heartbeats follow it).
 */
export function clockService(clock: LocalClock): EdgeService {
  const reply = (res: Parameters<EdgeService['handle']>[1], status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const state = () => ({ now: clock.nowIso(), epochMillis: clock.now(), offsetSeconds: clock.offsetSeconds() });
  return {
    name: 'local clock',
    matches: (req) => (req.url ?? '').split('?')[0] === '/_local/clock',
    handle(req, res, body) {
      if (req.method === 'GET') return reply(res, 200, state());
      if (req.method !== 'POST') return reply(res, 405, { message: 'use GET or POST' });
      let seconds: unknown;
      try {
        seconds = (JSON.parse(body.toString('utf8') || '{}') as { advanceSeconds?: unknown }).advanceSeconds;
      } catch {
        return reply(res, 400, { message: 'the body must be JSON: {"advanceSeconds": N}' });
      }
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        return reply(res, 400, { message: 'advanceSeconds must be a number >= 0' });
      }
      clock.advance(seconds);
      reply(res, 200, state());
    },
  };
}
