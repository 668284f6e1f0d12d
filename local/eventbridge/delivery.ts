import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { LocalClock } from '../clock';
import type { BusEvent, FailedDelivery, TargetConfig } from './eventbridge-model';
import { targetInput, type RuleRef } from './target-input';
import { DeliveryError, deliveryErrorOf, type TargetSenders } from './targets';

export interface DeliveryJob {
  event: BusEvent;
  rule: RuleRef;
  target: TargetConfig;
  /** when the event reached the bus (clock ms): MaximumEventAgeInSeconds counts from here */
  ingestedAt: number;
}

export interface RetrySettings {
  /** retries when a target has no RetryPolicy (AWS: 185 over 24 hours; locally fewer) */
  defaultMaximumRetryAttempts: number;
  /** the first retry waits this long, each next one twice as long... */
  baseDelaySeconds: number;
  /** ...up to this */
  maxDelaySeconds: number;
}

export const LOCAL_RETRY_DEFAULTS: RetrySettings = { defaultMaximumRetryAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 30 };
const AWS_DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;
const FAILED_KEPT = 1000;
// a burst of events for one target (a launch's thousands of captures) waits here as its jobs, not as
// thousands of SDK requests queued for the client's 50 sockets, each holding its middleware's state
// (about 45 KB); a slow target holds back only its own deliveries
const MAX_ATTEMPTS_AT_ONCE_PER_TARGET = 50;

export interface DeliveryOptions {
  clock: LocalClock;
  senders: TargetSenders;
  retry?: Partial<RetrySettings>;
  /** failed deliveries are appended here as JSON lines, and read back at start */
  failedFile?: string;
  /**
   * Deliveries not yet made are journaled here (JSON lines) before PutEvents answers, as EventBridge
   * keeps an accepted event: a runtime killed mid-delivery makes them after its restart (resume()).
   */
  pendingFile?: string;
  log: (line: string) => void;
}

export interface Delivery {
  /** Delivers later (after the caller returns), retrying with backoff on the local clock. */
  enqueue(job: DeliveryJob): void;
  /** deliveries started or waiting for a retry */
  pending(): number;
  /** deliveries that ran out of retries (also those then sent to a DLQ), oldest first */
  failed(): FailedDelivery[];
  /** Makes the deliveries the pending journal holds from before a restart; call once every target can be reached. */
  resume(): void;
  stop(): void;
}

type PendingRecord = { t: 'queued'; id: string; job: DeliveryJob } | { t: 'done'; id: string };

/** The journaled deliveries not made yet, in the order they were accepted. */
function readPending(file: string): { id: string; job: DeliveryJob }[] {
  if (!existsSync(file)) return [];
  const queued = new Map<string, DeliveryJob>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    let record: PendingRecord;
    try {
      record = JSON.parse(line) as PendingRecord;
    } catch {
      continue; // empty, or the last line cut short by the crash
    }
    if (record.t === 'queued') queued.set(record.id, record.job);
    else queued.delete(record.id);
  }
  return [...queued].map(([id, job]) => ({ id, job }));
}

export function createDelivery(opts: DeliveryOptions): Delivery {
  const retry = { ...LOCAL_RETRY_DEFAULTS, ...opts.retry };
  const { clock, senders, log } = opts;
  const controller = new AbortController();
  const failed: FailedDelivery[] = [];
  if (opts.failedFile && existsSync(opts.failedFile)) {
    const lines = readFileSync(opts.failedFile, 'utf8').split('\n').filter(Boolean);
    failed.push(...lines.slice(-FAILED_KEPT).map((line) => JSON.parse(line) as FailedDelivery));
  }
  let pending = 0;
  const recovered = opts.pendingFile ? readPending(opts.pendingFile) : [];
  if (opts.pendingFile) mkdirSync(path.dirname(opts.pendingFile), { recursive: true });
  const journal = (record: PendingRecord) => {
    if (opts.pendingFile) appendFileSync(opts.pendingFile, `${JSON.stringify(record)}\n`);
  };

  const turns = new Map<string, LimitFunction>();
  const turnAt = (arn: string) => turns.get(arn) ?? turns.set(arn, pLimit(MAX_ATTEMPTS_AT_ONCE_PER_TARGET)).get(arn)!;
  async function attempt(job: DeliveryJob): Promise<void> {
    if (controller.signal.aborted) return;
    let input: string;
    try {
      input = targetInput(job.target, job.event, job.rule, new Date(job.ingestedAt).toISOString());
    } catch (error) {
      throw new DeliveryError('INVALID_PARAMETER', `cannot build the target input: ${(error as Error).message}`, false);
    }
    await senders.send(job.target, input, job.event);
  }

  async function giveUp(job: DeliveryJob, error: DeliveryError, attempts: number): Promise<void> {
    const deadLetterArn = job.target.DeadLetterConfig?.Arn;
    const record: FailedDelivery = {
      event: job.event,
      ruleArn: job.rule.arn,
      targetId: job.target.Id,
      targetArn: job.target.Arn,
      errorCode: error.code,
      errorMessage: error.message,
      attempts,
      failedAt: clock.nowIso(),
    };
    if (deadLetterArn) {
      try {
        await senders.sendToDeadLetter(deadLetterArn, JSON.stringify(job.event), {
          ERROR_CODE: error.code,
          ERROR_MESSAGE: error.message || error.code,
          RULE_ARN: job.rule.arn,
          TARGET_ARN: job.target.Arn,
        });
        record.deadLetterArn = deadLetterArn;
      } catch (dlqError) {
        log(`EventBridge: could not send to the DLQ ${deadLetterArn}: ${deliveryErrorOf(dlqError).message}`);
      }
    }
    log(
      `EventBridge: event ${job.event.id} not delivered to ${job.target.Arn} (rule ${job.rule.name}) after ${attempts} attempts: ` +
        `${error.code} ${error.message}${record.deadLetterArn ? ` → DLQ ${record.deadLetterArn}` : ''}`,
    );
    failed.push(record);
    if (failed.length > FAILED_KEPT) failed.shift();
    if (opts.failedFile) {
      mkdirSync(path.dirname(opts.failedFile), { recursive: true });
      appendFileSync(opts.failedFile, `${JSON.stringify(record)}\n`);
    }
  }

  async function run(job: DeliveryJob): Promise<void> {
    const maxRetries = job.target.RetryPolicy?.MaximumRetryAttempts ?? retry.defaultMaximumRetryAttempts;
    const maxAgeMs = (job.target.RetryPolicy?.MaximumEventAgeInSeconds ?? AWS_DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
    for (let retries = 0; !controller.signal.aborted; retries++) {
      try {
        return await turnAt(job.target.Arn)(() => attempt(job));
      } catch (caught) {
        const error = deliveryErrorOf(caught);
        const delayMs = Math.min(retry.baseDelaySeconds * 2 ** retries, retry.maxDelaySeconds) * 1000;
        const tooOld = clock.now() + delayMs - job.ingestedAt > maxAgeMs;
        if (!error.retryable || retries >= maxRetries || tooOld) return giveUp(job, error, retries + 1);
        try {
          await clock.until(clock.now() + delayMs, controller.signal);
        } catch {
          return; // stopped
        }
      }
    }
  }

  function start(id: string, job: DeliveryJob) {
    pending++;
    setImmediate(() => {
      run(job)
        .then(() => {
          if (!controller.signal.aborted) journal({ t: 'done', id });
        })
        .catch((error: unknown) => log(`EventBridge: delivery to ${job.target.Arn} crashed: ${String(error)}`))
        .finally(() => {
          pending--;
          // nothing under way and nothing left to resume: every line of the journal is settled
          if (opts.pendingFile && pending === 0 && recovered.length === 0 && !controller.signal.aborted) writeFileSync(opts.pendingFile, '');
        });
    });
  }

  return {
    enqueue(job) {
      const id = randomUUID();
      journal({ t: 'queued', id, job: { ...job, rule: { name: job.rule.name, arn: job.rule.arn } } });
      start(id, job);
    },
    pending: () => pending,
    failed: () => [...failed],
    resume() {
      if (recovered.length) log(`EventBridge: making ${recovered.length} delivery(ies) accepted before the restart`);
      for (const { id, job } of recovered.splice(0)) start(id, job);
    },
    stop: () => controller.abort(),
  };
}
