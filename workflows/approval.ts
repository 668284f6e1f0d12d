import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice, Condition, Errors, IntegrationPattern, JitterType, JsonPath, Succeed, TaskInput, Timeout, type IChainable, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, EventBridgePutEvents, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { ApprovalRequested, SOURCES } from '../schemas/events';
import { failureState, LAMBDA_TRANSIENT, signalledWait } from './task-failures';

/**
 * The one approval engine: every approval in the product runs through this state machine,
 * under a policy that ops wrote as data (schemas/approvals/policy.ts).
 *
 *   Begin ─▶ Where now? ─pending─▶ Await decisions ─woken or timed out─▶ Advance ─▶ Where now? ...
 *                       ─ended───▶ Announce the outcome ─▶ Requester waiting? ─yes─▶ Answer the requester
 *
 * Begin snapshots the subject and pins the policy version; Advance is the engine's reconcile step
 * (functions/approvals/approval-engine.ts): reminders, deadlines (escalate, auto-approve, auto-reject),
 * the step's mode, the next step. Await decisions is the human wait: a `.waitForTaskToken` task that
 * stores its token on the request (DESIGN decision 5) and times out at the next reminder or deadline,
 * so every human step has its deadline and its timeout branch. Per step: Advance, Where now?, Await
 * decisions, i.e. three state transitions (plus two per reminder).
 */
export function approvalWorkflow(scope: Construct, props: {
  advance: IFunction;
  awaitDecisions: IFunction;
  bus: IEventBus;
}): IChainable {
  const { onFailure } = failureState(scope, 'The engine failed');
  const retrying = <T extends TaskStateBase>(task: T, errors: string[] = [...LAMBDA_TRANSIENT, 'ConcurrentChange']): T => {
    task.addRetry({
      errors,
      interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, jitterStrategy: JitterType.FULL,
    });
    return onFailure(task);
  };

  const begin = retrying(new LambdaInvoke(scope, 'Begin', {
    lambdaFunction: props.advance,
    payload: TaskInput.fromObject({ event: JsonPath.entirePayload, executionArn: JsonPath.executionId }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  }));
  const advance = retrying(new LambdaInvoke(scope, 'Advance', {
    lambdaFunction: props.advance,
    payload: TaskInput.fromObject({ requestId: JsonPath.stringAt('$.requestId') }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  }));
  const awaitDecisions = new LambdaInvoke(scope, 'Await decisions', {
    lambdaFunction: props.awaitDecisions,
    integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: TaskInput.fromObject({
      token: JsonPath.taskToken,
      requestId: JsonPath.stringAt('$.requestId'),
      round: JsonPath.numberAt('$.round'),
      signals: JsonPath.numberAt('$.signals'),
      countedAt: JsonPath.stringAt('$.countedAt'),
    }),
    taskTimeout: Timeout.at('$.waitSeconds'),
    retryOnServiceExceptions: false,
    resultPath: JsonPath.DISCARD,
  });
  // the timeout is the timer: a reminder or a deadline is due, so the engine advances
  signalledWait(awaitDecisions, advance, onFailure);

  const announce = retrying(new EventBridgePutEvents(scope, 'Announce the outcome', {
    entries: [{
      eventBus: props.bus,
      source: SOURCES.approvals,
      detailType: JsonPath.stringAt('$.detailType'),
      detail: TaskInput.fromJsonPathAt('$.outcome'),
    }],
    resultPath: JsonPath.DISCARD,
  }), [Errors.TASKS_FAILED]);
  const answer = new CallAwsService(scope, 'Answer the requester', {
    service: 'sfn',
    action: 'sendTaskSuccess',
    parameters: { TaskToken: JsonPath.stringAt('$.callbackToken'), Output: JsonPath.jsonToString(JsonPath.objectAt('$.outcome')) },
    // a task token names no resource; it is a capability the requester handed over
    iamResources: ['*'],
    resultPath: JsonPath.DISCARD,
  });
  const done = new Succeed(scope, 'Done');
  // SendTaskSuccess's errors are named TaskTimedOut, InvalidToken and TaskDoesNotExist (client-sfn's classes), with or without the
  // usual "Exception"; a requester that stopped waiting stays gone, so the first retrier (the one that applies) never retries them
  const requesterGone = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'].flatMap((name) => [`Sfn.${name}`, `Sfn.${name}Exception`]);
  answer.addRetry({ errors: requesterGone, maxAttempts: 0 });
  answer.addRetry({ errors: ['Sfn.SfnException', 'States.TaskFailed'], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 3, jitterStrategy: JitterType.FULL });
  answer.addCatch(new Succeed(scope, 'The requester stopped waiting', { comment: 'its token timed out or it was stopped; the outcome event still went out' }), { errors: requesterGone });
  onFailure(answer);

  const whereNow = new Choice(scope, 'Where now?')
    .when(Condition.stringEquals('$.status', 'pending'), awaitDecisions)
    .when(Condition.stringEquals('$.status', 'duplicate'), new Succeed(scope, 'Already running', { comment: `a redelivered ${ApprovalRequested.detailType}: another execution runs this request` }))
    .otherwise(announce);
  awaitDecisions.next(advance);
  advance.next(whereNow);
  announce.next(new Choice(scope, 'Requester waiting?').when(Condition.isPresent('$.callbackToken'), answer.next(done)).otherwise(done));
  return begin.next(whereNow);
}

/** What starts it: Approval.Requested on the crm bus (from POST /approvals or a workflow that needs a decision). */
export const APPROVAL_TRIGGER = { source: [ApprovalRequested.source], detailType: [ApprovalRequested.detailType] };
