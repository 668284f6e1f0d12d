import type { TemplateResource } from '../../assembly/cloud-assembly';
import type { Resolver } from '../../assembly/cfn-intrinsics';
import { compileEventPattern, type EventMatcher } from '../../eventbridge/event-pattern';

/** An AWS::Lambda::EventSourceMapping that reads a DynamoDB table's stream, in the terms the poller needs. */
export interface StreamMapping {
  logicalId: string;
  functionName: string;
  tableName: string;
  /** the ARN the template gave (the local one, with a fixed stream label): what records carry as eventSourceARN */
  eventSourceArn: string;
  region: string;
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** a record is delivered when it matches any filter (or when there are none) */
  filters: EventMatcher[];
  /** -1: retry until the record expires, as Lambda's default for streams */
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
}

const STREAM_ARN = /^arn:[^:]+:dynamodb:([^:]*):[^:]*:table\/([^/]+)\/stream\/.+$/;
const DEFAULT_BATCH_SIZE = 100;
const MAX_GET_RECORDS = 1000;

/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation properties are untyped JSON */

export function streamMappings(resources: Record<string, TemplateResource>, resolver: Pick<Resolver, 'resolve'>, log: (line: string) => void): StreamMapping[] {
  const mappings: StreamMapping[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const props = (resolver.resolve(resource.Properties ?? {}) ?? {}) as Record<string, any>;
    const match = STREAM_ARN.exec(String(props.EventSourceArn ?? ''));
    if (!match) continue; // SQS, Kinesis, ...: not a table's stream
    if (props.Enabled === false || props.Enabled === 'false') {
      log(`streams: ${logicalId} is disabled`);
      continue;
    }
    mappings.push({
      logicalId,
      functionName: String(props.FunctionName),
      tableName: match[2]!,
      eventSourceArn: String(props.EventSourceArn),
      region: match[1]!,
      batchSize: Math.min(Number(props.BatchSize ?? DEFAULT_BATCH_SIZE), MAX_GET_RECORDS),
      startingPosition: props.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      filters: ((props.FilterCriteria?.Filters ?? []) as any[]).map((f) => compileEventPattern(f.Pattern)),
      maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
      bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true || props.BisectBatchOnFunctionError === 'true',
      reportBatchItemFailures: ((props.FunctionResponseTypes ?? []) as unknown[]).includes('ReportBatchItemFailures'),
    });
  }
  return mappings;
}
