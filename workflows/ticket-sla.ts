import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice, Condition, IntegrationPattern, JitterType, JsonPath, Succeed, TaskInput, Timeout, type IChainable, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { TicketCreated, TicketReopened } from '../schemas/events';
import { failureState, LAMBDA_TRANSIENT, signalledWait } from './task-failures';

/**
 * A ticket's SLA, one execution per ticket and cycle (a reopening starts the next), on the approval
 * engine's pattern (workflows/approval.ts):
 *
 *   Begin ─▶ Where now? ─running─▶ Await the clock ─timer due or woken─▶ Advance ─▶ Where now? ...
 *                       ─done────▶ Finished            ─duplicate─▶ Already running
 *
 * Begin claims the ticket's cycle; Advance is the reconcile step (functions/tickets/ticket-sla.ts): the
 * reminders, breaches and escalations due on the SLA clock, and the wait until the next. Await the clock
 * is the signalled wait: a `.waitForTaskToken` task that stores its token on the ticket, where an agent's
 * action (respond, wait on the customer, the reply, resolve, close) wakes it, and that times out at the
 * next reminder or escalation: each deadline is the timeout branch of a wait.
 */
export function ticketSlaWorkflow(scope: Construct, props: { task: IFunction }): IChainable {
  const { onFailure } = failureState(scope, 'The SLA engine failed');
  const retrying = <T extends TaskStateBase>(task: T): T => {
    task.addRetry({
      errors: [...LAMBDA_TRANSIENT, 'ConcurrentChange'],
      interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, jitterStrategy: JitterType.FULL,
    });
    return onFailure(task);
  };
  const step = (id: string, payload: Record<string, unknown>) => retrying(new LambdaInvoke(scope, id, {
    lambdaFunction: props.task,
    payload: TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  }));

  const begin = step('Begin', { step: 'begin', event: JsonPath.entirePayload, executionArn: JsonPath.executionId });
  const advance = step('Advance', { step: 'advance', ticketId: JsonPath.stringAt('$.ticketId'), cycle: JsonPath.numberAt('$.cycle') });
  const awaitClock = new LambdaInvoke(scope, 'Await the clock', {
    lambdaFunction: props.task,
    integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: TaskInput.fromObject({
      step: 'await',
      token: JsonPath.taskToken,
      ticketId: JsonPath.stringAt('$.ticketId'),
      cycle: JsonPath.numberAt('$.cycle'),
      signals: JsonPath.numberAt('$.signals'),
      countedAt: JsonPath.stringAt('$.countedAt'),
    }),
    taskTimeout: Timeout.at('$.waitSeconds'),
    retryOnServiceExceptions: false,
    resultPath: JsonPath.DISCARD,
  });
  // the timeout is the timer: a reminder or an escalation is due, so the engine advances
  signalledWait(awaitClock, advance, onFailure);

  const whereNow = new Choice(scope, 'Where now?')
    .when(Condition.stringEquals('$.status', 'running'), awaitClock)
    .when(Condition.stringEquals('$.status', 'duplicate'), new Succeed(scope, 'Already running', { comment: 'a redelivered start: another execution runs this cycle' }))
    .otherwise(new Succeed(scope, 'Finished', { comment: 'resolved, closed, or reopened (a later cycle has its own execution)' }));
  awaitClock.next(advance);
  advance.next(whereNow);
  return begin.next(whereNow);
}

/** What starts it: a ticket created or reopened. */
export const TICKET_SLA_TRIGGER = { source: [TicketCreated.source], detailType: [TicketCreated.detailType, TicketReopened.detailType] };
