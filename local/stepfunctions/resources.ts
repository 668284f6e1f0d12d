import { createRequire } from 'node:module';

/**
 * Which Task resources run locally, parsed once at CreateStateMachine (an unknown one is rejected
 * there) and again when the Task runs.
 */
export type Pattern = 'request' | 'waitForTaskToken' | 'sync' | 'sync:2';

export type TaskResource =
  | { kind: 'lambda:invoke'; pattern: Pattern }
  | { kind: 'lambda-function'; functionArn: string }
  | { kind: 'dynamodb'; action: 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' }
  | { kind: 'events:putEvents'; pattern: Pattern }
  | { kind: 'states:startExecution'; pattern: Pattern }
  | { kind: 'aws-sdk'; service: string; action: string };

const DYNAMODB_ACTIONS = new Set(['getItem', 'putItem', 'updateItem', 'deleteItem']);

/** The AWS SDK v3 package of an `aws-sdk:<service>` integration, where its name differs from the service id. */
const SDK_PACKAGES: Record<string, string> = {
  secretsmanager: 'secrets-manager',
  cloudwatchlogs: 'cloudwatch-logs',
  dynamodbstreams: 'dynamodb-streams',
  apigatewayv2: 'apigatewayv2',
  cognitoidentityprovider: 'cognito-identity-provider',
};

export const sdkPackageOf = (service: string) => `@aws-sdk/client-${SDK_PACKAGES[service] ?? service}`;

const require = createRequire(import.meta.url);

function sdkInstalled(service: string): boolean {
  try {
    require.resolve(sdkPackageOf(service));
    return true;
  } catch {
    return false;
  }
}

/** The resource, or why it cannot run locally. */
export function parseResource(resource: string): TaskResource | string {
  const lambdaArn = /^arn:aws[\w-]*:lambda:[^:]+:\d+:function:[^:]+(:[^:]+)?$/;
  if (lambdaArn.test(resource)) return { kind: 'lambda-function', functionArn: resource };
  const match = /^arn:aws[\w-]*:states:::(.+)$/.exec(resource);
  if (!match) return `the resource '${resource}' is not a Lambda function ARN or a Step Functions integration (activities do not run locally)`;
  const [integration, suffix] = splitPattern(match[1]!);
  const pattern = (suffix ?? 'request') as Pattern;
  const patterns = (allowed: Pattern[]) => (allowed.includes(pattern) ? undefined : `the integration pattern '.${suffix}' is not supported for '${integration}'`);
  let parsed: TaskResource | undefined;
  let problem: string | undefined;
  if (integration === 'lambda:invoke') {
    problem = patterns(['request', 'waitForTaskToken']);
    parsed = { kind: 'lambda:invoke', pattern };
  } else if (integration === 'events:putEvents') {
    problem = patterns(['request', 'waitForTaskToken']);
    parsed = { kind: 'events:putEvents', pattern };
  } else if (integration === 'states:startExecution') {
    problem = patterns(['request', 'sync', 'sync:2', 'waitForTaskToken']);
    parsed = { kind: 'states:startExecution', pattern };
  } else if (integration.startsWith('dynamodb:')) {
    const action = integration.slice('dynamodb:'.length);
    if (!DYNAMODB_ACTIONS.has(action)) return `'${integration}' is not an optimized DynamoDB integration (use aws-sdk:dynamodb:${action})`;
    problem = patterns(['request']);
    parsed = { kind: 'dynamodb', action: action as 'getItem' };
  } else if (integration.startsWith('aws-sdk:')) {
    const [service, action, extra] = integration.slice('aws-sdk:'.length).split(':');
    if (!service || !action || extra !== undefined) return `'${resource}' is not of the form arn:aws:states:::aws-sdk:<service>:<action>`;
    problem = patterns(['request']);
    if (!problem && !sdkInstalled(service)) problem = `the AWS SDK package ${sdkPackageOf(service)} for '${integration}' is not installed`;
    parsed = { kind: 'aws-sdk', service, action };
  } else {
    return `the integration '${integration}' is not supported locally`;
  }
  return problem ?? parsed;
}

function splitPattern(integration: string): [string, string | undefined] {
  for (const suffix of ['waitForTaskToken', 'sync:2', 'sync']) {
    if (integration.endsWith(`.${suffix}`)) return [integration.slice(0, -suffix.length - 1), suffix];
  }
  return [integration, undefined];
}

/** resourceType and resource as history events show them (`lambda` / `invoke.waitForTaskToken`). */
export function describeResource(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:aws[\w-]*:states:::(.+)$/.exec(resource)?.[1];
  if (!integration) return { resourceType: 'lambda', resource };
  const [type, ...rest] = integration.split(':');
  return { resourceType: type!, resource: rest.join(':') };
}
