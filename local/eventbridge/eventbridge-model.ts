import type { EventMatcher } from './event-pattern';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** only on events a replay sent again */
  'replay-name'?: string;
}

export interface TargetConfig {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
}

export interface Rule {
  name: string;
  arn: string;
  busName: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  /** the pattern as JSON text, as the API returns it */
  eventPattern?: string;
  matches?: EventMatcher;
  scheduleExpression?: string;
  roleArn?: string;
  targets: TargetConfig[];
}

export interface Archive {
  name: string;
  arn: string;
  sourceArn: string;
  description?: string;
  eventPattern?: string;
  matches?: EventMatcher;
  retentionDays: number;
  createdAt: number;
}

export interface Replay {
  name: string;
  arn: string;
  archiveArn: string;
  description?: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: number;
  eventEndTime: number;
  state: 'STARTING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  stateReason?: string;
  replayStartTime: number;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
}

export interface Bus {
  name: string;
  arn: string;
  rules: Map<string, Rule>;
  /** the most recent events put on the bus, oldest first */
  recent: BusEvent[];
}

export interface FailedDelivery {
  event: BusEvent;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  /** the DLQ it was sent to, when the target has one */
  deadLetterArn?: string;
  failedAt: string;
}

/** A failed API call, in the AWS JSON protocol's error shape. */
export class EventBridgeApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** `arn:aws:events:<region>:<account>:event-bus/<name>` or a plain name → the name. */
export const busNameOf = (nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn.split('event-bus/')[1] ?? nameOrArn : nameOrArn);

export const ruleArnOf = (region: string, account: string, busName: string, ruleName: string) =>
  `arn:aws:events:${region}:${account}:rule/${busName === 'default' ? '' : `${busName}/`}${ruleName}`;
