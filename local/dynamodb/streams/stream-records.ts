import type { AttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';

/** One record of a Lambda DynamoDB stream event (`{Records: [...]}`), as Lambda builds it. */
export interface LambdaStreamRecord {
  eventID: string;
  eventName: string;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
  userIdentity?: { type: string; principalId: string };
  eventSourceARN: string;
}

/**
 * Turns a record of the streams API, as the SDK parsed it, back into its wire JSON, which is what
 * Lambda hands a function: creation time in epoch seconds, binary attributes as base64.
 */
export function toLambdaRecord(record: StreamRecord, eventSourceARN: string, awsRegion: string): LambdaStreamRecord {
  const data = record.dynamodb ?? {};
  const image = (attributes: Record<string, AttributeValue>) => Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, wireValue(v)]));
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? '',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion,
    dynamodb: {
      ...(data.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(data.ApproximateCreationDateTime.getTime() / 1000) } : {}),
      ...(data.Keys ? { Keys: image(data.Keys) } : {}),
      ...(data.NewImage ? { NewImage: image(data.NewImage) } : {}),
      ...(data.OldImage ? { OldImage: image(data.OldImage) } : {}),
      SequenceNumber: data.SequenceNumber ?? '',
      ...(data.SizeBytes !== undefined ? { SizeBytes: data.SizeBytes } : {}),
      ...(data.StreamViewType ? { StreamViewType: data.StreamViewType } : {}),
    },
    ...(record.userIdentity?.Type && record.userIdentity.PrincipalId
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
    eventSourceARN,
  };
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function wireValue(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, wireValue(v)])) };
  if (value.L !== undefined) return { L: value.L.map(wireValue) };
  return value;
}
