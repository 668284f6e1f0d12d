import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FUND_LEDGER_PREFIX, fundLedgerKey, itemFor, recordKey } from '../../schemas/keys';
import { lazy } from '../../schemas/lazy';
import { Funds, ledgerEntrySchema, type FundRecord, type LedgerEntry } from '../../schemas/promotions/records';
import * as z from '../../schemas/zod';
import { referencesIn } from '../../schemas/references';
import { assertCan } from '../platform/access';
import { conflict, DomainError, notFound } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import { formatMoney } from './promotion-money';
import { toRecord } from '../records';
import { documentClient, tableName, type StoredItem } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { parseInput } from '../platform/validation';

/*
 * A fund's money and its ledger. The fund item holds four integers,
 *   allocatedMinor = availableMinor + reservedMinor + spentMinor,
 * and every movement changes them in ONE transaction with the ledger entry that explains it:
 *   reserve  available -> reserved   (condition: available >= amount, so a fund never goes below zero)
 *   release  reserved  -> available  (condition: reserved >= amount)
 *   spend    reserved  -> spent      (condition: reserved >= amount)
 * The entry is keyed by the movement's business id (reserve#<promotion>#<submission>...), written
 * only if absent, so a retried movement is applied once. Callers add their own record's change to the
 * same transaction (the promotion's status and money), so the fund and the promotion never disagree.
 */

export type MovementKind = 'reserve' | 'release' | 'spend';

export interface Movement {
  fundId: string;
  movementId: string;
  kind: MovementKind;
  amountMinor: number;
  currency: string;
  at: string;
  promotionId?: string;
  claimId?: string;
  note: string;
}

/** The fund refused the movement: `reason` says why in words (shown to the rep, kept on the promotion). */
export class FundRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FundRefusal';
  }
}

const FROM_TO: Record<MovementKind, { from: string; to: string }> = {
  reserve: { from: 'availableMinor', to: 'reservedMinor' },
  release: { from: 'reservedMinor', to: 'availableMinor' },
  spend: { from: 'reservedMinor', to: 'spentMinor' },
};

async function readFundItem(fundId: string) {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(Funds.type, fundId), ConsistentRead: true }));
  return Item as StoredItem<FundRecord> | undefined;
}

const MAX_CONFLICT_RETRIES = 12;
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** attempt)));

/**
 * Applies one movement with the caller's other writes, all or nothing. Returns 'applied', or
 * 'already-applied' when this movement id was recorded before (a retry). Throws FundRefusal when the
 * fund cannot give the money, and the `alongside` write's own error when its condition fails.
 */
export async function moveFunds(movement: Movement, alongside: GuardedWrite[] = []): Promise<'applied' | 'already-applied'> {
  const { from, to } = FROM_TO[movement.kind];
  const alreadyApplied = conflict(`movement ${movement.movementId} was already applied`);
  const refused = new DomainError('conflict', 'the fund refused');
  const writes: GuardedWrite[] = [
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: { ...fundLedgerKey(movement.fundId, movement.movementId), ...movement, entryId: randomUUID() },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      whenConditionFails: alreadyApplied,
    },
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: recordKey(Funds.type, movement.fundId),
          UpdateExpression: `SET ${from} = ${from} - :amount, ${to} = ${to} + :amount`,
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(deletedAt) AND currency = :currency AND ${from} >= :amount`,
          ExpressionAttributeValues: { ':amount': movement.amountMinor, ':currency': movement.currency },
        },
      },
      whenConditionFails: refused,
    },
    ...alongside,
  ];
  for (let attempt = 0; ; attempt++) {
    try {
      await writeAllOrNothing(writes);
      return 'applied';
    } catch (error) {
      if (error === alreadyApplied) return 'already-applied';
      if (error === refused) throw new FundRefusal(await explainRefusal(movement));
      const own = alongside.some((w) => w.whenConditionFails === error);
      // anything else named conflict is a transaction that raced another on the same fund: try again
      if (!own && error instanceof DomainError && error.kind === 'conflict' && attempt < MAX_CONFLICT_RETRIES) {
        await pause(attempt);
        continue;
      }
      throw error;
    }
  }
}

async function explainRefusal(movement: Movement): Promise<string> {
  const fund = await readFundItem(movement.fundId);
  const money = (minor: number) => formatMoney(minor, movement.currency);
  if (!fund || fund.deletedAt) return `fund ${movement.fundId} does not exist`;
  if (fund.currency !== movement.currency) return `fund ${fund.name} is in ${fund.currency}, not ${movement.currency}`;
  if (movement.kind === 'reserve') {
    return `fund ${fund.name} has ${money(fund.availableMinor)} available; reserving ${money(movement.amountMinor)} would take it below zero`;
  }
  return `fund ${fund.name} holds only ${money(fund.reservedMinor)} reserved; cannot ${movement.kind} ${money(movement.amountMinor)}`;
}

/** Finance opens a fund with its allocation: the fund and its first ledger line in one transaction. */
export async function openFund(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Funds.create, body, 'body');
  const id = randomUUID();
  const record = {
    ownerId: principal.userId, departmentId: principal.departmentId, ...input, id, version: 1, createdAt: now, updatedAt: now,
    currency: input.allocated.currency,
    allocatedMinor: input.allocated.amountMinor,
    availableMinor: input.allocated.amountMinor,
    reservedMinor: 0,
    spentMinor: 0,
  };
  assertCan(principal, 'write', Funds.type, record);
  // the owner and the department the fund is for (the caller's unless the body names them)
  const references = referencesIn(Funds.record, record);
  await assertReadableReferences(principal, references);
  const entry = {
    fundId: id, movementId: 'allocate#opening', kind: 'allocate', amountMinor: record.allocatedMinor, currency: record.currency, at: now,
    note: `opening allocation of ${formatMoney(record.allocatedMinor, record.currency)}`,
  };
  await writeAllOrNothing([
    { item: { Put: { TableName: tableName(), Item: itemFor(Funds.type, record), ConditionExpression: 'attribute_not_exists(pk)' } }, whenConditionFails: conflict(`fund ${id} exists`) },
    { item: { Put: { TableName: tableName(), Item: { ...fundLedgerKey(id, entry.movementId), ...entry } } }, whenConditionFails: conflict(`fund ${id} has a ledger`) },
    ...referenceGuards(references),
  ]);
  return record;
}

export async function readFund(principal: Principal, fundId: string) {
  const item = await readFundItem(fundId);
  if (!item || item.deletedAt) throw notFound(`no fund ${fundId}`);
  assertCan(principal, 'read', Funds.type, item, fundId);
  return toRecord(item) as FundRecord & Record<string, unknown>;
}

/** A ledger item as the fund's transactions store it: the movement (its keys and entry id aside). */
const storedMovementSchema = lazy(() => z.omit(ledgerEntrySchema(), { after: true }));
type StoredMovement = z.infer<ReturnType<typeof storedMovementSchema>>;

/** Every ledger entry of a fund, oldest first (by time, then movement id). */
async function ledgerOf(fundId: string): Promise<StoredMovement[]> {
  const entries: StoredMovement[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
      ExpressionAttributeValues: { ':pk': recordKey(Funds.type, fundId).pk, ':ledger': FUND_LEDGER_PREFIX },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }));
    entries.push(...(page.Items ?? []).map((item) => storedMovementSchema().parse(item)));
    start = page.LastEvaluatedKey;
  } while (start);
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.movementId.localeCompare(b.movementId));
}

/**
 * The fund statement: every movement with the balance after it, replayed from the opening allocation,
 * and whether the replay ends exactly at the fund's balance (to the minor unit).
 */
export async function fundStatement(principal: Principal, fundId: string) {
  const fund = await readFund(principal, fundId);
  const balance = { allocatedMinor: 0, availableMinor: 0, reservedMinor: 0, spentMinor: 0 };
  const entries: LedgerEntry[] = (await ledgerOf(fundId)).map((movement) => {
    const { amountMinor: amount, kind } = movement;
    if (kind === 'allocate') {
      balance.allocatedMinor += amount;
      balance.availableMinor += amount;
    } else {
      const { from, to } = FROM_TO[kind];
      balance[from as keyof typeof balance] -= amount;
      balance[to as keyof typeof balance] += amount;
    }
    return {
      ...movement,
      after: { availableMinor: balance.availableMinor, reservedMinor: balance.reservedMinor, spentMinor: balance.spentMinor },
    };
  });
  const balances = balance.allocatedMinor === fund.allocatedMinor && balance.availableMinor === fund.availableMinor
    && balance.reservedMinor === fund.reservedMinor && balance.spentMinor === fund.spentMinor
    && fund.allocatedMinor === fund.availableMinor + fund.reservedMinor + fund.spentMinor;
  return { fund, entries, totals: balance, balances };
}
