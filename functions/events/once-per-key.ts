import {
  IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyValidationError, makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecordOptions } from '@aws-lambda-powertools/idempotency/types';
import type { Context } from 'aws-lambda';
import type { InboundSystem } from '../../schemas/events';
import { INBOUND_IDEMPOTENCY, TTL_ATTRIBUTE } from '../../schemas/keys';
import { conflict, unprocessable } from '../platform/errors';
import { dynamoDbClient, tableName } from '../platform/table';

/** How long an idempotency key answers repeats with the first result. */
export const KEY_TTL_SECONDS = 24 * 3600;
/** What a sender is told to wait before repeating a key whose first delivery is still being taken. */
export const RETRY_AFTER_SECONDS = 1;
const KEY_HEADER = 'idempotency-key';
/** what Powertools can store as a result */
type Json = NonNullable<IdempotencyRecordOptions['responseData']>;

/**
 * One persistence layer per system: Powertools keeps the key prefix on the layer, and a layer shared
 * between systems would let one invocation's prefix replace another's while both are under way (the
 * local runtime runs several invocations in one environment).
 */
const stores = new Map<InboundSystem, DynamoDBPersistenceLayer>();
function storeOf(system: InboundSystem): DynamoDBPersistenceLayer {
  let store = stores.get(system);
  if (!store) {
    store = new DynamoDBPersistenceLayer({
      tableName: tableName(),
      awsSdkV3Client: dynamoDbClient,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: INBOUND_IDEMPOTENCY.pk,
      expiryAttr: TTL_ATTRIBUTE,
      inProgressExpiryAttr: 'inProgressExpiresAt',
      statusAttr: 'status',
      dataAttr: 'result',
      validationKeyAttr: 'bodyHash',
    });
    stores.set(system, store);
  }
  return store;
}

export interface Keyed {
  idempotencyKey: string;
  /** the raw body: a repeat of the key must bring the same bytes */
  body: string;
}

/**
 * Runs `take` once per (system, idempotency key) with Powertools Idempotency. The claim on the key
 * holds while this invocation may still run (its Lambda context's remaining time), so a claim that a
 * crash left behind lapses with the function's timeout; once `take` returns, its result answers every
 * repeat of the key for KEY_TTL_SECONDS. A repeat with another body is refused (422), and one that
 * arrives while the first is still under way is told to come back (409 with retry-after).
 */
export async function oncePerKey<T extends { [key: string]: Json }>(
  system: InboundSystem, request: Keyed, context: Context, take: () => Promise<T>,
): Promise<{ result: T; repeat: boolean }> {
  // Powertools answers a repeat with the stored result without calling the function
  let took = false;
  const once = makeIdempotent(async (_request: Keyed) => {
    took = true;
    return take();
  }, {
    persistenceStore: storeOf(system),
    keyPrefix: INBOUND_IDEMPOTENCY.keyPrefix(system),
    // a config per invocation: it carries this invocation's context, whose remaining time sets the claim's expiry
    config: new IdempotencyConfig({
      eventKeyJmesPath: 'idempotencyKey',
      payloadValidationJmesPath: 'body',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: KEY_TTL_SECONDS,
      hashFunction: 'sha256',
      lambdaContext: context,
    }),
  });
  try {
    const result = await once(request);
    return { result, repeat: !took };
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw unprocessable(`${KEY_HEADER} ${request.idempotencyKey} was used before with a different body; a new event needs a new key`, [
        { field: `header.${KEY_HEADER}`, message: 'was used before with a different body' },
      ]);
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw conflict(`the event with ${KEY_HEADER} ${request.idempotencyKey} is still being taken; retry in a moment`, {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
    }
    throw error;
  }
}
