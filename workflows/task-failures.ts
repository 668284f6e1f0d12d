import type { Construct } from 'constructs';
import { Errors, Fail, JsonPath, type TaskStateBase } from 'aws-cdk-lib/aws-stepfunctions';

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
