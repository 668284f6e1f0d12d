/**
 * A CRM record's item: its key, and the index keys that list it (see ./table for the indexes). Funds,
 * campaigns, promotions and claims are records too; the items that live beside them are in their
 * domain's module.
 */
import { CLOSED_STAGES } from '../records/opportunity';
import { UNFINISHED_TICKET_STATUSES, type TicketStatus } from '../tickets/records';
import { indexKeyAttributes, listPk, SEARCH_ATTRIBUTE, type IndexName } from './table';

export const RECORD_SK = 'RECORD';
export const recordKey = (type: string, id: string) => ({ pk: `${type}#${id}`, sk: RECORD_SK });

/**
 * Sort keys inside an account's collection are prefixed so that one descending Query returns, in order:
 * the account, its contacts, its open opportunities, then its activities newest first; closed
 * opportunities sort below `1` and are left out of the 360 by the key condition `sk >= "1"`.
 */
export const ACCOUNT_COLLECTION = {
  account: '4#ACCOUNT',
  contact: '3#CONTACT#',
  openOpportunity: '2#OPPORTUNITY#',
  activity: '1#ACTIVITY#',
  closedOpportunity: '0#OPPORTUNITY#',
  /** service tickets: below what the 360 shows (the timeline carries their activities) */
  ticket: '0#TICKET#',
  /** lower bound of what the 360 shows */
  shownFrom: '1',
} as const;

/** A sub-department's sort key in its parent department's collection. */
export const SUB_DEPARTMENT_PREFIX = 'DEPARTMENT#';

export const collectionPk = {
  account: (accountId: string) => `ACCOUNT#${accountId}`,
  lead: (leadId: string) => `LEAD#${leadId}`,
  department: (departmentId: string) => `DEPARTMENT#${departmentId}`,
  /** a campaign's promotions */
  campaign: (campaignId: string) => `CAMPAIGN#${campaignId}`,
  /** a promotion's expense claims */
  promotion: (promotionId: string) => `PROMOTION#${promotionId}`,
};
/** Where a promotion's claims sit in its collection. */
export const PROMOTION_COLLECTION = { claim: 'CLAIM#' } as const;

type Item = Record<string, unknown>;
const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

function collectionKey(type: string, record: Item, closed: (r: Item) => boolean): [string, string] | undefined {
  const id = String(record.id);
  const accountId = str(record.accountId);
  switch (type) {
    case 'ACCOUNT':
      return [collectionPk.account(id), ACCOUNT_COLLECTION.account];
    case 'CONTACT':
      return accountId ? [collectionPk.account(accountId), `${ACCOUNT_COLLECTION.contact}${id}`] : undefined;
    case 'OPPORTUNITY': {
      const prefix = closed(record) ? ACCOUNT_COLLECTION.closedOpportunity : ACCOUNT_COLLECTION.openOpportunity;
      return accountId ? [collectionPk.account(accountId), `${prefix}${id}`] : undefined;
    }
    case 'ACTIVITY': {
      const sk = `${ACCOUNT_COLLECTION.activity}${String(record.occurredAt)}#${id}`;
      if (accountId) return [collectionPk.account(accountId), sk];
      const leadId = str(record.leadId);
      return leadId ? [collectionPk.lead(leadId), sk] : undefined;
    }
    case 'DEPARTMENT': {
      const parentId = str(record.parentId);
      return parentId ? [collectionPk.department(parentId), `${SUB_DEPARTMENT_PREFIX}${id}`] : undefined;
    }
    case 'USER':
      return [collectionPk.department(String(record.departmentId)), `USER#${id}`];
    case 'PROMOTION': {
      const campaignId = str(record.campaignId);
      return campaignId ? [collectionPk.campaign(campaignId), `PROMOTION#${id}`] : undefined;
    }
    case 'TICKET':
      return accountId ? [collectionPk.account(accountId), `${ACCOUNT_COLLECTION.ticket}${id}`] : undefined;
    case 'CLAIM': {
      const promotionId = str(record.promotionId);
      return promotionId ? [collectionPk.promotion(promotionId), `${PROMOTION_COLLECTION.claim}${id}`] : undefined;
    }
    default:
      return undefined;
  }
}

/** The value a record is listed by in byStatus: opportunities by stage, the rest by status. */
export const statusOf = (record: Item) => str(record.stage) ?? str(record.status);

/**
 * What a list of this type is sorted by within an index: names alphabetically, activities by time,
 * tickets as a team's queue: unfinished ones by when their SLA next falls due (those whose clock is
 * stopped after those), then the finished ones.
 */
const sortValue = (type: string, record: Item) =>
  type === 'TICKET'
    ? UNFINISHED_TICKET_STATUSES.includes(record.status as TicketStatus) ? `0#${str(record.dueAt) ?? `~${String(record.createdAt)}`}` : `1#${String(record.updatedAt)}`
    : str(record.occurredAt) ?? str(record.code) ?? str(record.name)?.toLowerCase() ?? String(record.createdAt);

/** The record types whose lists take a text search (`q`), and the fields it looks in. */
export const SEARCHABLE_FIELDS: Partial<Record<string, readonly string[]>> = {
  ACCOUNT: ['name', 'code', 'city'],
  CONTACT: ['firstName', 'lastName', 'email'],
  LEAD: ['firstName', 'lastName', 'company', 'email'],
};

/** Text as the search compares it: lower case, accents dropped ("Lübeck" is found by "lubeck"), spaces collapsed. */
export const searchNormalized = (text: string) =>
  text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * All index attributes of a live record. Attributes whose source field is absent are left out, so the
 * record is simply not in that index (DynamoDB's sparse indexes).
 */
export function indexKeysFor(type: string, record: Item, isClosed: (r: Item) => boolean = () => false): Item {
  const id = String(record.id);
  const sort = `${sortValue(type, record)}#${id}`;
  const keys: Item = {};
  const set = (index: IndexName, pk: string | undefined, sk: string) => {
    if (pk === undefined) return;
    const attrs = indexKeyAttributes(index);
    keys[attrs.pk] = pk;
    keys[attrs.sk] = sk;
  };
  const collection = collectionKey(type, record, isClosed);
  if (collection) set('byCollection', collection[0], collection[1]);
  const ownerId = str(record.ownerId);
  set('byOwner', ownerId && listPk.byOwner(type, ownerId), sort);
  const departmentId = str(record.departmentId);
  set('byDepartment', departmentId && listPk.byDepartment(type, departmentId), sort);
  const status = statusOf(record);
  set('byStatus', status && listPk.byStatus(type, status), sort);
  const region = str(record.region);
  set('byRegion', region && listPk.byRegion(type, region), sort);
  set('byType', listPk.byType(type), sort);
  const searched = SEARCHABLE_FIELDS[type];
  // one line per field, so that a search never matches across two of them
  if (searched) keys[SEARCH_ATTRIBUTE] = searched.map((f) => searchNormalized(str(record[f]) ?? '')).join('\n');
  return keys;
}

/** Closed opportunities leave the account 360 (they sort below what it reads). */
const isClosedOpportunity = (record: Item) => record.recordType === 'OPPORTUNITY' && CLOSED_STAGES.includes(String(record.stage));

/** The full item of a live record: the record, its type, its key and every index key it belongs to. */
export function itemFor(type: string, record: Item): Item {
  const typed = { ...record, recordType: type };
  return { ...typed, ...recordKey(type, String(record.id)), ...indexKeysFor(type, typed, isClosedOpportunity) };
}

/**
 * Holds a unique value (an account code, a user's e-mail) so two live records can never share it. Its
 * `owner` attribute is the owning record's pk, so a workflow can find an account by its code with one
 * GetItem. E-mail addresses are unique whatever their case; codes are upper case by their schema.
 */
export const uniqueValueKey = (type: string, field: string, value: string) => ({
  pk: `UNIQUE#${type}#${field}#${field === 'email' ? value.toLowerCase() : value}`,
  sk: 'UNIQUE',
});

/** A user written straight into the directory (the demo data, a deployment's first admin): their item and the hold on their e-mail. */
export const userItems = (user: Item & { id: string; email: string }): Item[] => [
  itemFor('USER', user),
  { ...uniqueValueKey('USER', 'email', user.email), owner: `USER#${user.id}` },
];
