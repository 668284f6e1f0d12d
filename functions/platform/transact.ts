import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, type DomainError } from './errors';
import { documentClient } from './table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of an all-or-nothing change, with the error a user gets when its condition fails. */
export interface GuardedWrite {
  item: TransactItem;
  whenConditionFails: DomainError;
}

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

/**
 * Writes everything or nothing. A lone Put goes as a PutItem (half the cost of a transaction);
 * anything more is one TransactWriteItems. A failed condition becomes the domain error it names.
 */
export async function writeAllOrNothing(writes: GuardedWrite[]): Promise<void> {
  const [only] = writes;
  if (writes.length === 1 && only?.item.Put) {
    try {
      await documentClient.send(new PutCommand(only.item.Put));
      return;
    } catch (error) {
      if (isNamed(error, 'ConditionalCheckFailedException')) throw only.whenConditionFails;
      throw error;
    }
  }
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: writes.map((w) => w.item) }));
  } catch (error) {
    if (!isNamed(error, 'TransactionCanceledException')) throw error;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed >= 0 && writes[failed]) throw writes[failed].whenConditionFails;
    if (reasons.some((r) => r.Code === 'TransactionConflict')) {
      throw conflict('another change to the same records was in progress; try again');
    }
    throw error;
  }
}
