import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient, type InvocationType } from '@aws-sdk/client-lambda';
import type { InvokingClient } from '../lambda/lambda-invoke-service';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatesError, STATES } from './states-errors';
import { sdkPackageOf, type TaskResource } from './resources';

/**
 * Task resources, each called through the AWS SDK v3 against the local edge, so a Task reaches the
 * same local service any other client would (Lambda through the edge's Invoke API).
 */
export interface TaskCall {
  resource: TaskResource;
  parameters: unknown;
  signal: AbortSignal;
  /** Runs `fn` at most once per task attempt across restarts: its result is journaled. */
  once<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface Integrations {
  run(call: TaskCall): Promise<unknown>;
  destroy(): void;
}

export interface IntegrationOptions {
  edgeUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Lambda Invoke in process (the runtime's); the SDK's client against the edge when absent */
  lambdaClient?: InvokingClient;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The error name Step Functions' Java SDK gives a service in `aws-sdk:` integrations. */
const SDK_ERROR_PREFIX: Record<string, string> = {
  dynamodb: 'DynamoDb', sfn: 'Sfn', sqs: 'Sqs', sns: 'Sns', s3: 'S3', eventbridge: 'EventBridge', sesv2: 'SesV2', ses: 'Ses',
  lambda: 'Lambda', secretsmanager: 'SecretsManager', cloudwatchlogs: 'CloudWatchLogs', dynamodbstreams: 'DynamoDbStreams',
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Services whose API members are camelCase (taskToken, logGroupName). A state machine names every
 * `aws-sdk:` parameter in PascalCase whatever the API's own case (TaskToken, Output), and Step Functions
 * converts them; the SDK v3 command takes the API's case, so these services' names are converted here.
 */
const CAMEL_CASE_SERVICES = new Set(['sfn', 'cloudwatchlogs']);
const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), camelKeys(v)]));
}

/** An SDK failure as the ASL error AWS reports: `<Prefix>.<ExceptionName>`. */
function serviceError(prefix: string, error: unknown, signal: AbortSignal): never {
  if (signal.aborted) throw signal.reason;
  if (error instanceof StatesError) throw error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.$metadata?.httpStatusCode ? (e.name ?? 'UnknownError') : 'SdkClientException';
  throw new StatesError(`${prefix}.${name}`, e.message ?? String(error));
}

/** SDK output as JSON: no $metadata, dates as ISO strings, blobs as base64. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => k !== '$metadata' && v !== undefined).map(([k, v]) => [k, plain(v)]));
}

export function createIntegrations(options: IntegrationOptions): Integrations {
  const config = { endpoint: options.edgeUrl, region: options.region, credentials: options.credentials, maxAttempts: 1 };
  const clients = new Map<string, { send: (command: unknown, options?: unknown) => Promise<unknown>; destroy(): void }>();
  function client<T extends { destroy(): void }>(key: string, make: () => T): T {
    let existing = clients.get(key);
    if (!existing) {
      existing = make() as never;
      clients.set(key, existing!);
    }
    return existing as unknown as T;
  }
  const lambda = () => client<InvokingClient>('lambda', () => options.lambdaClient ?? new LambdaClient(config));
  const dynamodb = () => client('dynamodb', () => new DynamoDBClient(config));
  const events = () => client('events', () => new EventBridgeClient(config));
  const sfn = () => client('sfn', () => new SFNClient(config));

  async function invokeLambda(params: Record<string, unknown>, signal: AbortSignal) {
    const payload = params.Payload;
    const response = await lambda()
      .send(
        new InvokeCommand({
          FunctionName: String(params.FunctionName),
          ...(params.Qualifier ? { Qualifier: String(params.Qualifier) } : {}),
          ...(params.InvocationType ? { InvocationType: params.InvocationType as InvocationType } : {}),
          ...(payload !== undefined ? { Payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)) } : {}),
        }),
        { abortSignal: signal },
      )
      .catch((error: unknown) => serviceError('Lambda', error, signal));
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // a payload that is not JSON stays a string
    }
    if (response.FunctionError) {
      const errorType = isObject(parsed) && typeof parsed.errorType === 'string' ? parsed.errorType : 'Lambda.Unknown';
      throw new StatesError(errorType, text);
    }
    return { response, payload: parsed };
  }

  async function putEvents(params: Record<string, unknown>, signal: AbortSignal) {
    const entries = (Array.isArray(params.Entries) ? params.Entries : []).map((entry: Record<string, unknown>) => ({
      ...entry,
      ...(entry.Detail !== undefined && typeof entry.Detail !== 'string' ? { Detail: JSON.stringify(entry.Detail) } : {}),
    })) as PutEventsRequestEntry[];
    const response = await events()
      .send(new PutEventsCommand({ Entries: entries }), { abortSignal: signal })
      .catch((error: unknown) => serviceError('EventBridge', error, signal));
    if ((response.FailedEntryCount ?? 0) > 0) throw new StatesError('EventBridge.FailedEntry', JSON.stringify(plain(response)));
    return plain(response);
  }

  async function startExecution(call: TaskCall, params: Record<string, unknown>, pattern: string) {
    const input = params.Input === undefined ? undefined : typeof params.Input === 'string' ? params.Input : JSON.stringify(params.Input);
    const started = await call.once('started', () =>
      sfn()
        .send(
          new StartExecutionCommand({
            stateMachineArn: String(params.StateMachineArn),
            ...(params.Name ? { name: String(params.Name) } : {}),
            ...(input !== undefined ? { input } : {}),
          }),
          { abortSignal: call.signal },
        )
        .then((r) => ({ ExecutionArn: r.executionArn!, StartDate: r.startDate?.toISOString() }))
        .catch((error: unknown) => serviceError('StepFunctions', error, call.signal)),
    );
    if (pattern !== 'sync' && pattern !== 'sync:2') return started;
    for (;;) {
      const execution = await sfn()
        .send(new DescribeExecutionCommand({ executionArn: started.ExecutionArn }), { abortSignal: call.signal })
        .catch((error: unknown) => serviceError('StepFunctions', error, call.signal));
      if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
        const result = plain({
          ExecutionArn: execution.executionArn, Input: execution.input, Name: execution.name, Output: execution.output,
          StartDate: execution.startDate, StateMachineArn: execution.stateMachineArn, Status: execution.status, StopDate: execution.stopDate,
          Error: execution.error, Cause: execution.cause,
        }) as Record<string, unknown>;
        if (pattern === 'sync:2') {
          for (const field of ['Input', 'Output'] as const) if (typeof result[field] === 'string') result[field] = JSON.parse(result[field] as string);
        }
        if (execution.status === 'SUCCEEDED') return result;
        const error = execution.status === 'TIMED_OUT' ? STATES.Timeout : STATES.TaskFailed;
        throw new StatesError(error, JSON.stringify(result));
      }
      await sleep(200, undefined, { signal: call.signal });
    }
  }

  async function awsSdk(service: string, action: string, params: Record<string, unknown>, signal: AbortSignal) {
    const prefix = SDK_ERROR_PREFIX[service] ?? pascal(service);
    const sdk = (await import(sdkPackageOf(service))) as Record<string, unknown>;
    const Command = sdk[`${pascal(action)}Command`] as (new (input: unknown) => unknown) | undefined;
    if (!Command) throw new StatesError(`${prefix}.UnknownOperationException`, `${sdkPackageOf(service)} has no ${pascal(action)}Command`);
    const sdkClient = client(`sdk:${service}`, () => {
      const Client = Object.entries(sdk).find(
        ([name, value]) => name.endsWith('Client') && typeof value === 'function' && 'send' in (value as { prototype: object }).prototype,
      )?.[1] as new (config: unknown) => { send(c: unknown, o?: unknown): Promise<unknown>; destroy(): void };
      return new Client(config);
    });
    const input = CAMEL_CASE_SERVICES.has(service) ? camelKeys(params) : params;
    const response = await sdkClient.send(new Command(input), { abortSignal: signal }).catch((error: unknown) => serviceError(prefix, error, signal));
    return plain(response);
  }

  async function dynamo(action: string, params: Record<string, unknown>, signal: AbortSignal) {
    const commands = { getItem: GetItemCommand, putItem: PutItemCommand, updateItem: UpdateItemCommand, deleteItem: DeleteItemCommand };
    const Command = commands[action as keyof typeof commands] as new (input: unknown) => GetItemCommand;
    const response = await dynamodb().send(new Command(params), { abortSignal: signal }).catch((error: unknown) => serviceError('DynamoDB', error, signal));
    return plain(response);
  }

  return {
    async run(call) {
      const { resource, signal } = call;
      const params = isObject(call.parameters) ? call.parameters : {};
      switch (resource.kind) {
        case 'lambda-function':
          return (await invokeLambda({ FunctionName: resource.functionArn, Payload: call.parameters ?? {} }, signal)).payload;
        case 'lambda:invoke': {
          const { response, payload } = await invokeLambda(params, signal);
          return {
            ExecutedVersion: response.ExecutedVersion ?? '$LATEST',
            Payload: payload,
            SdkHttpMetadata: { HttpStatusCode: response.StatusCode ?? 200 },
            SdkResponseMetadata: { RequestId: response.$metadata.requestId ?? '' },
            StatusCode: response.StatusCode ?? 200,
          };
        }
        case 'dynamodb':
          return dynamo(resource.action, params, signal);
        case 'events:putEvents':
          return putEvents(params, signal);
        case 'states:startExecution':
          return startExecution(call, params, resource.pattern);
        case 'aws-sdk':
          return awsSdk(resource.service, resource.action, params, signal);
      }
    },
    destroy() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
