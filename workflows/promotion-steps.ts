import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Errors, IntegrationPattern, JitterType, JsonPath, Succeed, TaskInput, Timeout, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, DynamoAttributeValue, DynamoPutItem, EventBridgePutEvents, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ApprovalRequested, type EventDefinition } from '../schemas/events';
import { submissionRunKey } from '../schemas/keys';
import { DYNAMO_TRANSIENT, LAMBDA_TRANSIENT } from './task-failures';

/*
 * The building blocks the trade-promotion workflows share (promotion-lifecycle, expense-claim,
 * campaign-settlement): every Task retries what passes, with jitter, and each workflow adds its Catch.
 */


export function withRetry<T extends TaskStateBase>(task: T, errors: string[]): T {
  task.addRetry({ errors, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 4, jitterStrategy: JitterType.FULL });
  return task;
}

/** A Lambda task whose result (the payload only) lands at resultPath. */
export function lambdaStep(scope: Construct, name: string, fn: IFunction, payload: Record<string, unknown>, resultPath: string | typeof JsonPath.DISCARD) {
  return withRetry(new LambdaInvoke(scope, name, {
    lambdaFunction: fn, payload: TaskInput.fromObject(payload), payloadResponseOnly: true, retryOnServiceExceptions: false, resultPath,
  }), LAMBDA_TRANSIENT);
}

/** A Lambda task that waits for its task token (a person's step); times out after `timeout`. */
export function lambdaWaitStep(scope: Construct, name: string, fn: IFunction, payload: Record<string, unknown>, resultPath: string, timeout: Duration) {
  return withRetry(new LambdaInvoke(scope, name, {
    lambdaFunction: fn, integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN, payload: TaskInput.fromObject(payload),
    retryOnServiceExceptions: false, resultPath, taskTimeout: Timeout.duration(timeout),
  }), LAMBDA_TRANSIENT);
}

/**
 * The first state of a workflow a Submitted event starts: it claims the submission (the record's id and
 * submission number in the event's detail). The event comes from the outbox at least once; an execution
 * started by a repeated one finds the claim taken and ends here, since its approval request would be a
 * duplicate that nobody answers.
 */
export function claimSubmission(scope: Construct, props: { table: ITable; recordType: string; idField: string; event: EventDefinition; onFailure: <T extends TaskStateBase>(task: T) => T }) {
  const key = submissionRunKey(props.recordType, '{}', '{}');
  const claim = withRetry(new DynamoPutItem(scope, 'Claim the submission', {
    table: props.table,
    item: {
      pk: DynamoAttributeValue.fromString(JsonPath.format(key.pk, JsonPath.stringAt(`$.detail.${props.idField}`))),
      sk: DynamoAttributeValue.fromString(JsonPath.format(key.sk, JsonPath.stringAt('$.detail.submission'))),
      executionArn: DynamoAttributeValue.fromString(JsonPath.executionId),
    },
    conditionExpression: 'attribute_not_exists(pk)',
    resultPath: JsonPath.DISCARD,
  }), DYNAMO_TRANSIENT);
  claim.addCatch(new Succeed(scope, 'Already running', { comment: `a repeated ${props.event.detailType}: another execution runs this submission` }), {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
  });
  return props.onFailure(claim);
}

export function putEventStep(scope: Construct, name: string, bus: IEventBus, event: EventDefinition, detail: TaskInput) {
  return withRetry(new EventBridgePutEvents(scope, name, {
    entries: [{ eventBus: bus, source: event.source, detailType: event.detailType, detail }],
    resultPath: JsonPath.DISCARD,
  }), [Errors.TASKS_FAILED]);
}

/**
 * Ask the approval engine (its contract: schemas/events/approvals.ts): Approval.Requested with
 * this task's token as callbackToken; the engine answers with an ApprovalOutcome (approved, rejected or
 * recalled: all as success). No decision within `timeout` is caught by the caller.
 */
function requestApproval(scope: Construct, bus: IEventBus, detail: Record<string, unknown>, timeout: Duration) {
  const task = new EventBridgePutEvents(scope, 'Request approval', {
    integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    entries: [{
      eventBus: bus, source: ApprovalRequested.source, detailType: ApprovalRequested.detailType,
      detail: TaskInput.fromObject({ ...detail, callbackToken: JsonPath.taskToken }),
    }],
    taskTimeout: Timeout.duration(timeout),
    resultPath: '$.approval',
  });
  return withRetry(task, [Errors.TASKS_FAILED]);
}

export interface MailProps {
  /** the sender (MAIL_FROM) */
  from: string;
  configurationSet: string;
  /** what ses:SendEmail is granted on: the sender's identity and the configuration set */
  sendResources: string[];
}

/** A plain-text service mail through SES's API, straight from the workflow. */
export function mailStep(scope: Construct, name: string, mail: MailProps, message: { to: unknown; subject: string; text: string }) {
  return withRetry(new CallAwsService(scope, name, {
    service: 'sesv2',
    action: 'sendEmail',
    iamAction: 'ses:SendEmail',
    iamResources: mail.sendResources,
    parameters: {
      FromEmailAddress: mail.from,
      ConfigurationSetName: mail.configurationSet,
      Destination: { ToAddresses: message.to },
      Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.text } } } },
    },
    resultPath: JsonPath.DISCARD,
  }), ['SesV2.TooManyRequestsException', 'SesV2.SdkClientException']);
}

/**
 * Request approval, then "Apply the decision": `applyDecision` gets `payload` with the outcome and its
 * reasons, its result lands at `resultPath`. No decision within `timeout`: the request is withdrawn
 * (`withdrawApproval`, of the approvals domain, as `workflow`), so nobody is reminded of it or decides
 * it any more, and its answer is applied: recalled with the reason, or the request's own outcome when a
 * decision crossed the timeout. Any other failure of these tasks goes to `onFailure`'s catch.
 */
export function approvalThenDecision(scope: Construct, props: {
  bus: IEventBus;
  /** the workflow's name, the actor the approval's trail names when it withdraws the request */
  workflow: string;
  withdrawApproval: IFunction;
  /**
   * What is approved, from the starting event's detail: its type, the detail field of its id (the
   * request is `<type's prefix>-<id>-<submission>`, one per submission), the fields policies read, and
   * what people read about it (its title and facts, as the approval subject's schema says).
   */
  subject: { type: string; prefix: string; idField: string; fields: Record<string, unknown>; title: string; facts: Record<string, unknown>[] };
  timeout: Duration;
  applyDecision: IFunction;
  payload: Record<string, unknown>;
  resultPath: string;
  onFailure: <T extends TaskStateBase>(task: T) => T;
}) {
  const d = (field: string) => JsonPath.stringAt(`$.detail.${field}`);
  const { type, prefix, idField, fields, title, facts } = props.subject;
  const requestId = JsonPath.format(`${prefix}-{}-{}`, d(idField), d('submission'));
  const ask = requestApproval(scope, props.bus, {
    requestId,
    subject: { type, id: d(idField), ownerId: d('ownerId'), departmentId: d('departmentId'), fields, title, facts },
    submitterId: d('submitterId'),
  }, props.timeout);
  const noDecision = props.onFailure(lambdaStep(scope, 'No decision in time: withdraw the request', props.withdrawApproval, {
    requestId, by: props.workflow, reason: `no approval decision within ${props.timeout.toDays()} days; please resubmit`,
  }, '$.approval'));
  const decide = props.onFailure(lambdaStep(scope, 'Apply the decision', props.applyDecision, {
    ...props.payload, outcome: JsonPath.stringAt('$.approval.outcome'), reasons: JsonPath.listAt('$.approval.reasons'),
  }, props.resultPath));
  ask.addCatch(noDecision, { errors: [Errors.TIMEOUT], resultPath: JsonPath.DISCARD });
  props.onFailure(ask);
  noDecision.next(decide);
  return { ask, decide };
}
