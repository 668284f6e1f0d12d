import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice, Condition, Errors, Fail, IntegrationPattern, JitterType, JsonPath, Pass, Succeed, TaskInput, Timeout, Wait, WaitTime,
  type IChainable, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * The nurture engine: one generic state machine, one execution per enrolment, walking the enrolment's
 * pinned sequence version one step at a time. The sequence is data (schemas/nurture/sequence.ts); the
 * step's work and the choice of what comes next are in one task (functions/nurture/run-nurture-step),
 * so a step costs two to four state transitions:
 *
 *   Run step ──▶ What next? ──continue──▶ Run step
 *                     ├──wait────▶ Wait (until the step's end, in the send window) ──▶ Run step
 *                     ├──await───▶ Await engagement (task token; the wait is its timeout) ──▶ Run step
 *                     └──end─────▶ Done
 *
 * An exit (conversion, unsubscribe, bounce, complaint, exit condition) stops the execution from outside
 * (StopExecution); a step that keeps failing ends the enrolment as "failed" rather than leaving it active.
 */
export const NURTURE_WORKFLOW_NAME = 'nurture';

const LAMBDA_RETRYABLE = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

function withRetry<T extends TaskStateBase>(task: T, errors: string[], maxAttempts = 4): T {
  task.addRetry({ errors, interval: Duration.seconds(1), backoffRate: 2, maxAttempts, jitterStrategy: JitterType.FULL });
  return task;
}

export function nurtureWorkflow(scope: Construct, props: { runStep: IFunction; awaitEngagement: IFunction }): IChainable {
  const failed = new Fail(scope, 'Step failed', { errorPath: JsonPath.stringAt('$.failure.Error'), causePath: JsonPath.stringAt('$.failure.Cause') });
  const markFailed = withRetry(new LambdaInvoke(scope, 'End the enrolment as failed', {
    lambdaFunction: props.runStep,
    payload: TaskInput.fromObject({ enrolmentId: JsonPath.stringAt('$.enrolmentId'), stepId: JsonPath.stringAt('$.stepId'), failure: JsonPath.objectAt('$.failure') }),
    payloadResponseOnly: true,
    resultPath: JsonPath.DISCARD,
  }), [...LAMBDA_RETRYABLE, Errors.TASKS_FAILED]);
  markFailed.addCatch(failed, { errors: [Errors.ALL], resultPath: '$.markFailure' }).next(failed);

  const runStep = withRetry(new LambdaInvoke(scope, 'Run step', {
    lambdaFunction: props.runStep,
    payload: TaskInput.fromObject({
      enrolmentId: JsonPath.stringAt('$.enrolmentId'),
      stepId: JsonPath.stringAt('$.stepId'),
      resume: JsonPath.objectAt('$.resume'),
      // the enrolment's sequence, version and lead, as the router started the execution: the step reads
      // the enrolment with its sequence and lead in one request
      execution: JsonPath.objectAt('$$.Execution.Input'),
    }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  }), [...LAMBDA_RETRYABLE, Errors.TASKS_FAILED]);
  runStep.addCatch(markFailed, { errors: [Errors.ALL], resultPath: '$.failure' });

  const wait = new Wait(scope, 'Wait', { time: WaitTime.timestampPath('$.waitUntil') });
  const noEngagement = new Pass(scope, 'No engagement in time', { result: { value: { engaged: false } }, resultPath: '$.resume' });
  const awaitEngagement = withRetry(new LambdaInvoke(scope, 'Await engagement', {
    lambdaFunction: props.awaitEngagement,
    integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: TaskInput.fromObject({
      token: JsonPath.taskToken,
      enrolmentId: JsonPath.stringAt('$.enrolmentId'),
      mailStep: JsonPath.stringAt('$.mailStep'),
      engagement: JsonPath.stringAt('$.engagement'),
    }),
    taskTimeout: Timeout.at('$.timeoutSeconds'),
    resultPath: '$.resume',
  }), LAMBDA_RETRYABLE);
  awaitEngagement.addCatch(noEngagement, { errors: [Errors.TIMEOUT], resultPath: JsonPath.DISCARD });
  awaitEngagement.addCatch(markFailed, { errors: [Errors.ALL], resultPath: '$.failure' });

  // the step's output always carries `resume: {}`; an engagement wait overwrites it with its outcome
  noEngagement.next(runStep);
  awaitEngagement.next(runStep);
  wait.next(runStep);

  const whatNext = new Choice(scope, 'What next?')
    .when(Condition.stringEquals('$.action', 'continue'), runStep)
    .when(Condition.stringEquals('$.action', 'wait'), wait)
    .when(Condition.stringEquals('$.action', 'await'), awaitEngagement)
    .otherwise(new Succeed(scope, 'Done'));
  runStep.next(whatNext);
  return new Pass(scope, 'Start', { parameters: { 'enrolmentId.$': '$.enrolmentId', 'stepId.$': '$.stepId', resume: {} } }).next(runStep);
}
