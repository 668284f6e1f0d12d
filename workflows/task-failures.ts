import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Errors, Fail, JitterType, JsonPath, type IChainable, type TaskStateBase } from 'aws-cdk-lib/aws-stepfunctions';

/** Errors a retry may clear: the service was busy or briefly failing, not the request. */
export const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
export const DYNAMO_TRANSIENT = ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.ThrottlingException', 'DynamoDB.InternalServerErrorException', 'DynamoDB.RequestLimitExceeded'];

/**
 * A workflow's one Fail state, named `name`, and `onFailure`, which sends any error of a task there
 * with the error and its cause at $.failure (what the execution then fails with).
 */
export function failureState(scope: Construct, name: string) {
  const failed = new Fail(scope, name, { errorPath: JsonPath.stringAt('$.failure.Error'), causePath: JsonPath.stringAt('$.failure.Cause') });
  const onFailure = <T extends TaskStateBase>(task: T) => task.addCatch(failed, { errors: [Errors.ALL], resultPath: '$.failure' }) as T;
  return { failed, onFailure };
}

/**
 * A signalled wait (DESIGN decision 5): a `.waitForTaskToken` Lambda task whose function stores the token
 * where a person's action finds it, timing out after `$.waitSeconds`; the timeout is the timer, so it is
 * caught into `onTimeout` (the engine's reconcile step), and any other failure goes to `onFailure`.
 */
export function signalledWait<T extends TaskStateBase>(wait: T, onTimeout: IChainable, onFailure: (task: T) => T): T {
  wait.addRetry({ errors: LAMBDA_TRANSIENT, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, jitterStrategy: JitterType.FULL });
  wait.addCatch(onTimeout, { errors: [Errors.TIMEOUT], resultPath: JsonPath.DISCARD });
  return onFailure(wait);
}
