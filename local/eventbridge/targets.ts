import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { InvokingClient } from '../lambda/lambda-invoke-service';
import { StartExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BusEvent, TargetConfig } from './eventbridge-model';

/** Why a delivery failed, in the ERROR_CODE vocabulary EventBridge puts on DLQ messages. */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface TargetSenders {
  /** Delivers `input` (the event for an event-bus target) to the target; throws DeliveryError. */
  send(target: TargetConfig, input: string, event: BusEvent): Promise<void>;
  sendToDeadLetter(queueArn: string, body: string, attributes: Record<string, string>): Promise<void>;
  destroy(): void;
}

export interface TargetSendersOptions {
  edgeUrl: string;
  region: string;
  /** puts the event on another bus of this emulator; throws DeliveryError when there is none */
  forwardToBus(busName: string, event: BusEvent): void;
  log(line: string): void;
  /** Lambda Invoke in process (the runtime's); the SDK's client against the edge when absent */
  lambdaClient?: InvokingClient;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const NOT_FOUND = new Set(['ResourceNotFoundException', 'StateMachineDoesNotExist', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'ExecutionLimitExceeded']);

/** Maps an SDK failure to a delivery error: missing resources and bad requests are not retried. */
export function deliveryErrorOf(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  if (NOT_FOUND.has(e.name ?? '') || status === 404) return new DeliveryError('RESOURCE_NOT_FOUND', message, false);
  if (THROTTLED.has(e.name ?? '') || status === 429) return new DeliveryError('THROTTLING', message, true);
  if (status !== undefined && status >= 400 && status < 500) return new DeliveryError('INVALID_PARAMETER', message, false);
  return new DeliveryError('INTERNAL_ERROR', message, true);
}

/** Lambda and Step Functions take JSON: a target input that is plain text goes as a JSON string. */
const asJson = (input: string) => {
  try {
    JSON.parse(input);
    return input;
  } catch {
    return JSON.stringify(input);
  }
};

/** `arn:aws:sqs:<region>:<account>:<name>` → the edge's URL of that queue */
const queueUrlOf = (edgeUrl: string, arn: string) => {
  const [, , , , account, name] = arn.split(':');
  return `${edgeUrl}/${account}/${name}`;
};

/**
 * Delivers through the edge with the AWS SDK, exactly as a caller in the cloud would: Lambda Invoke
 * (RequestResponse, so a function error counts as a failed delivery), Step Functions StartExecution,
 * SQS SendMessage; event-bus targets are put on that bus in process.
 */
export function createTargetSenders(opts: TargetSendersOptions): TargetSenders {
  const config = { endpoint: opts.edgeUrl, region: opts.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
  const lambda: InvokingClient = opts.lambdaClient ?? new LambdaClient(config);
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);

  async function invokeLambda(arn: string, input: string) {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: arn, InvocationType: 'RequestResponse', Payload: Buffer.from(asJson(input)) }),
    );
    if (response.FunctionError) {
      const payload = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      throw new DeliveryError('LAMBDA_FUNCTION_ERROR', `${response.FunctionError}: ${payload}`.slice(0, 1000), true);
    }
  }

  async function send(target: TargetConfig, input: string, event: BusEvent) {
    const arn = target.Arn;
    const service = arn.split(':')[2];
    try {
      switch (service) {
        case 'lambda':
          return await invokeLambda(arn, input);
        case 'states':
          await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: asJson(input) }));
          return;
        case 'sqs':
          await sqs.send(
            new SendMessageCommand({ QueueUrl: queueUrlOf(opts.edgeUrl, arn), MessageBody: input, MessageGroupId: target.SqsParameters?.MessageGroupId }),
          );
          return;
        case 'events':
          if (!arn.includes(':event-bus/')) break;
          return opts.forwardToBus(arn.split(':event-bus/')[1]!, event);
        case 'logs':
          // a log group target (for debugging rules in the cloud): locally, the runtime log
          opts.log(`EventBridge → ${arn}: ${input}`);
          return;
      }
    } catch (error) {
      throw deliveryErrorOf(error);
    }
    throw new DeliveryError('INVALID_PARAMETER', `targets like ${arn} are not supported locally (Lambda, Step Functions, SQS, event buses and log groups are)`, false);
  }

  return {
    send,
    async sendToDeadLetter(queueArn, body, attributes) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrlOf(opts.edgeUrl, queueArn),
          MessageBody: body,
          MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
        }),
      );
    },
    destroy() {
      lambda.destroy();
      sfn.destroy();
      sqs.destroy();
    },
  };
}
