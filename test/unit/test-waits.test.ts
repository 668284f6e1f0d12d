import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fetchWithin } from '../integration/support/fetch-within';
import { until } from '../integration/support/until';

/** The tests' own waits: a wait that cannot end must fail, naming what it waited for. */
describe('until', () => {
  it('returns the first value its check gives', async () => {
    let calls = 0;
    await expect(until('the third call', async () => (++calls === 3 ? 'done' : undefined), 5_000)).resolves.toBe('done');
    expect(calls).toBe(3);
  });

  it('fails naming what it waited for when the check never gives a value', async () => {
    await expect(until('a value that never comes', async () => undefined, 200)).rejects.toThrow('timed out waiting for a value that never comes');
  });

  it('fails naming what it waited for when a check never answers, instead of waiting with it', async () => {
    await expect(until('an answer', () => new Promise<undefined>(() => {}), 200)).rejects.toThrow('timed out waiting for an answer: a check did not answer');
  });
});

/** Runs `use` against a server on a free local port that answers with `handle`, then closes it. */
async function withServer(handle: RequestListener, use: (origin: string) => Promise<void>): Promise<void> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('fetchWithin', () => {
  it('fails naming the request when the server takes it and never answers', () => withServer(() => {}, async (origin) => {
    const url = `${origin}/_local/token`;
    await expect(fetchWithin(url, { method: 'POST' }, 200)).rejects.toThrow(`POST ${url}: no answer within 0.2 s`);
  }));

  it('waits as long more as the request asks the server to hold it (the idle probe\'s waitSeconds)', () =>
    withServer((_, res) => void setTimeout(() => res.end('{"idle":false}'), 500), async (origin) => {
      const response = await fetchWithin(`${origin}/_local/idle?waitSeconds=2`, {}, 200);
      expect(await response.json()).toEqual({ idle: false });
    }));

  it('gives the answer of a server that answers', () => withServer((_, res) => res.end('token'), async (origin) => {
    const response = await fetchWithin(`${origin}/`, {}, 5_000);
    expect(await response.text()).toBe('token');
  }));
});
