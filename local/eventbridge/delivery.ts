import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

export interface DeliveryOptions {
  clock: LocalClock;
  senders: TargetSenders;
  retry?: Partial<RetrySettings>;
  /** failed deliveries are appended here as JSON lines, and read back at start */
  failedFile?: string;
  log: (line: string) => void;
}

export interface Delivery {
  /** Delivers later (after the caller returns), retrying with backoff on the local clock. */
  enqueue(job: DeliveryJob): void;
  /** deliveries started or waiting for a retry */
  pending(): number;
  /** deliveries that ran out of retries (also those then sent to a DLQ), oldest first */
  failed(): FailedDelivery[];
  stop(): void;
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

  async function attempt(job: DeliveryJob): Promise<void> {
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
        return await attempt(job);
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

  return {
    enqueue(job) {
      pending++;
      setImmediate(() => {
        run(job)
          .catch((error: unknown) => log(`EventBridge: delivery to ${job.target.Arn} crashed: ${String(error)}`))
          .finally(() => pending--);
      });
    },
    pending: () => pending,
    failed: () => [...failed],
    stop: () => controller.abort(),
  };
}
