import { describe, expect, it } from 'vitest';
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
