import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { collectionPk, indexKeyAttributes, recordKey } from '../../schemas/keys';
import {
  Promotions, type campaignRecordSchema, type claimRecordSchema, type FundRecord, type PromotionRecord,
} from '../../schemas/promotions/records';
import type { OwnershipSchema } from '../../schemas/common';
import { Users, type Account, type User } from '../../schemas/records';
import type * as z from '../../schemas/zod';
import { conflict, notFound } from '../platform/errors';
import { documentClient, tableName, type StoredItem } from '../platform/table';
import { DEFAULT_FORMATS, readerOf, type Reader } from '../platform/mail-content';

/*
 * Reading the promotions domain's records: each type as its zod record says it is stored, plus what
 * the table keeps beside it (keys, index keys, workflow bookkeeping such as a task token).
 */

// defineRecord adds an owned record's owner and department to its schema; its inferred type leaves them out
type Owned<T> = T & z.infer<typeof OwnershipSchema>;
export type CampaignRecord = Owned<z.infer<ReturnType<typeof campaignRecordSchema>>>;
export type ClaimRecord = Owned<z.infer<ReturnType<typeof claimRecordSchema>>>;
export type PromotionItem = Owned<PromotionRecord>;
export type FundItem = Owned<FundRecord>;

/** A stored item of a record type: the record its schema wrote, and the table's own attributes. */
export type Stored<T> = StoredItem<T>;

/** Each record type the domain reads, by its type name (Promotions.type, Funds.type...). */
interface RecordTypes {
  PROMOTION: PromotionItem;
  FUND: FundItem;
  CAMPAIGN: CampaignRecord;
  CLAIM: ClaimRecord;
  USER: User;
  ACCOUNT: Account;
}
export type PromotionsRecordType = keyof RecordTypes;

/** The item of a record (deleted ones too: the caller decides), read consistently. */
export async function readRecord<T extends PromotionsRecordType>(type: T, id: string): Promise<Stored<RecordTypes[T]> | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(type, id), ConsistentRead: true }));
  return Item as Stored<RecordTypes[T]> | undefined;
}

/** A campaign's live promotions: their ids from its collection, each read itself (the index is eventually consistent). */
export async function promotionsOfCampaign(campaignId: string): Promise<Stored<PromotionItem>[]> {
  const attrs = indexKeyAttributes('byCollection');
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(), IndexName: 'byCollection',
      KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': attrs.pk },
      ExpressionAttributeValues: { ':pk': collectionPk.campaign(campaignId) }, ExclusiveStartKey: start,
    }));
    ids.push(...(page.Items ?? []).map((item) => String(item.id)));
    start = page.LastEvaluatedKey;
  } while (start);
  return (await Promise.all(ids.map((id) => readRecord(Promotions.type, id)))).filter((p): p is Stored<PromotionItem> => !!p && !p.deletedAt);
}

export async function readLivePromotion(id: string): Promise<Stored<PromotionItem>> {
  const item = await readRecord(Promotions.type, id);
  if (!item || item.deletedAt) throw notFound(`no promotion ${id}`);
  return item;
}

/** Attributes the workflow keeps on the item that no client needs to see. */
const HIDDEN = ['closeOutTaskToken'];
const KEY_ATTRIBUTES = /^(pk|sk|recordType|by[A-Z][A-Za-z]*(Pk|Sk))$/;

/** A record of the domain as clients see it: without keys, index keys and workflow bookkeeping. */
export function promotionView(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.test(k) && !HIDDEN.includes(k)));
}

/**
 * A promotion's (or campaign's) owner as mail addresses them, with how they read times; a missing user
 * is named by id and gets no mail (no address).
 */
export async function contactOf(userId: string): Promise<Reader> {
  const user = await readRecord(Users.type, userId);
  return readerOf(userId, user) ?? { email: '', name: userId, ...DEFAULT_FORMATS };
}

/**
 * The owner and department of a record being created or changed: those the body names (its schema
 * checked them as ids), else `fallback` (the caller on create, the record's own on change).
 */
export function ownershipOf(body: { ownerId?: unknown; departmentId?: unknown }, fallback: { ownerId: string; departmentId: string }) {
  return {
    ownerId: typeof body.ownerId === 'string' ? body.ownerId : fallback.ownerId,
    departmentId: typeof body.departmentId === 'string' ? body.departmentId : fallback.departmentId,
  };
}

/** Only a draft or a rejected promotion or claim is the rep's to change, and only at the version they read. */
export function assertChangeable(kind: 'promotion' | 'claim', id: string, current: { status: string; version: number }, version: number) {
  if (current.status !== 'draft' && current.status !== 'rejected') {
    throw conflict(`${kind} ${id} is ${current.status}; only a draft or a rejected ${kind} can be changed`);
  }
  if (current.version !== version) throw conflict(`${kind} ${id} was changed since version ${version}; read it again and reapply your change`);
}
