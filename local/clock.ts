import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The local clock every emulator reads instead of Date.now(): real time plus an offset that tests and
 * demos move forward (`POST /_local/clock {"advanceSeconds": N}`), so a three-day Wait passes in a
 * moment. The offset persists with the data, so time never runs backwards across a restart.
 */
export interface LocalClock {
  now(): number;
  nowIso(): string;
  advance(seconds: number): void;
  offsetSeconds(): number;
  /** resolves when the clock reaches `at` (epoch ms), whether by real time passing or by advance() */
  until(at: number, signal?: AbortSignal): Promise<void>;
  /** called after every advance(), so timers due by the new time can fire at once */
  onAdvance(listener: () => void): () => void;
  /** when the until() waits still waiting are due (epoch ms), soonest first: what the idle probe asks */
  pendingTimers(): number[];
}

export function createLocalClock(opts: { stateFile?: string } = {}): LocalClock {
  let offsetMs = 0;
  if (opts.stateFile && existsSync(opts.stateFile)) {
    offsetMs = Number(JSON.parse(readFileSync(opts.stateFile, 'utf8')).offsetMs) || 0;
  }
  const listeners = new Set<() => void>();
  const waiting = new Map<symbol, number>();
  const now = () => Date.now() + offsetMs;
  const persist = () => {
    if (!opts.stateFile) return;
    mkdirSync(path.dirname(opts.stateFile), { recursive: true });
    writeFileSync(opts.stateFile, JSON.stringify({ offsetMs }));
  };
  return {
    now,
    nowIso: () => new Date(now()).toISOString(),
    offsetSeconds: () => offsetMs / 1000,
    advance(seconds) {
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceSeconds must be a number >= 0');
      offsetMs += seconds * 1000;
      persist();
      for (const listener of listeners) listener();
    },
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pendingTimers: () => [...waiting.values()].sort((a, b) => a - b),
    until(at, signal) {
      const id = Symbol('until');
      return new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          if (timer) clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener('abort', aborted);
          resolve();
        };
        const aborted = () => {
          if (timer) clearTimeout(timer);
          unsubscribe();
          reject(signal?.reason ?? new Error('aborted'));
        };
        const check = () => {
          const left = at - now();
          if (left <= 0) return done();
          if (timer) clearTimeout(timer);
          // re-check at most every minute, so a long wait also notices advances made while it slept
          timer = setTimeout(check, Math.min(left, 60_000));
        };
        const unsubscribe = () => {
          listeners.delete(check);
          waiting.delete(id);
        };
        listeners.add(check);
        waiting.set(id, at);
        if (signal?.aborted) return aborted();
        signal?.addEventListener('abort', aborted, { once: true });
        check();
      });
    },
  };
}

/** What every emulator on the edge is made with (the runtime passes the same to each). */
export interface EmulatorOptions {
  /** the edge itself: where an emulator reaches the others with the AWS SDK */
  edgeUrl: string;
  clock: LocalClock;
  /** where the emulator keeps its state; undefined keeps it in memory */
  dataDir?: string;
  region: string;
  accountId: string;
  log?: (line: string) => void;
}

/** An offset for people: "3 d 2 h 5 min" (seconds only when it is under a minute). */
export function formatOffset(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const parts: [number, string][] = [[Math.floor(whole / 86_400), 'd'], [Math.floor(whole / 3600) % 24, 'h'], [Math.floor(whole / 60) % 60, 'min']];
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(' ');
}
