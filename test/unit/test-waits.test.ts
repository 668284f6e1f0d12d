import { createServer } from 'node:http';
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

describe('fetchWithin', () => {
  it('fails naming the request when the server takes it and never answers', async () => {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_local/token`;
    try {
      await expect(fetchWithin(url, { method: 'POST' }, 200)).rejects.toThrow(`POST ${url}: no answer within 0.2 s`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('waits as long more as the request asks the server to hold it (the idle probe\'s waitSeconds)', async () => {
    const server = createServer((_, res) => void setTimeout(() => res.end('{"idle":false}'), 500));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetchWithin(`http://127.0.0.1:${(server.address() as AddressInfo).port}/_local/idle?waitSeconds=2`, {}, 200);
      expect(await response.json()).toEqual({ idle: false });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives the answer of a server that answers', async () => {
    const server = createServer((_, res) => res.end('token'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetchWithin(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {}, 5_000);
      expect(await response.text()).toBe('token');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
