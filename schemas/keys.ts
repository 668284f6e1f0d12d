/**
 * The single table's keys: every pk/sk and index key in the product is built here and nowhere else.
 *
 * Main table: one item per record, `pk = <TYPE>#<id>`, `sk = RECORD`: every get is one GetItem.
 * Global secondary indexes (all project every attribute), each `<name>Pk`/`<name>Sk`:
 *   byCollection  the account's item collection (the account 360) and the department tree
 *   byOwner       a user's records of one type
 *   byDepartment  a department's records of one type (what a sales rep may see)
 *   byStatus      records of one type in one status (or opportunity stage)
 *   byRegion      accounts and leads of one region
 *   byType        every record of one type
 * A soft-deleted record loses its index keys, so it drops out of every list but stays readable by key.
 */
import { CLOSED_STAGES } from './records/opportunity';

/** The table's TTL attribute: epoch seconds after which DynamoDB deletes the item. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const INDEX_NAMES = ['byCollection', 'byOwner', 'byDepartment', 'byStatus', 'byRegion', 'byType'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

export const indexKeyAttributes = (index: IndexName) => ({ pk: `${index}Pk`, sk: `${index}Sk` }) as const;

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
  /** lower bound of what the 360 shows */
  shownFrom: '1',
} as const;

/** A sub-department's sort key in its parent department's collection. */
export const SUB_DEPARTMENT_PREFIX = 'DEPARTMENT#';

export const collectionPk = {
  account: (accountId: string) => `ACCOUNT#${accountId}`,
  lead: (leadId: string) => `LEAD#${leadId}`,
  department: (departmentId: string) => `DEPARTMENT#${departmentId}`,
  /** a campaign's promotions (issue 5) */
  campaign: (campaignId: string) => `CAMPAIGN#${campaignId}`,
  /** a promotion's expense claims (issue 5) */
  promotion: (promotionId: string) => `PROMOTION#${promotionId}`,
};
/** Where a promotion's claims sit in its collection. */
export const PROMOTION_COLLECTION = { claim: 'CLAIM#' } as const;

export const listPk = {
  byOwner: (type: string, ownerId: string) => `OWNER#${ownerId}#${type}`,
  byDepartment: (type: string, departmentId: string) => `DEPARTMENT#${departmentId}#${type}`,
  byStatus: (type: string, status: string) => `${type}#STATUS#${status}`,
  byRegion: (type: string, region: string) => `${type}#REGION#${region.toLowerCase()}`,
  byType: (type: string) => type,
};

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

/** What a list of this type is sorted by within an index: names alphabetically, activities by time. */
const sortValue = (record: Item) =>
  str(record.occurredAt) ?? str(record.code) ?? str(record.name)?.toLowerCase() ?? String(record.createdAt);

/**
 * All index attributes of a live record. Attributes whose source field is absent are left out, so the
 * record is simply not in that index (DynamoDB's sparse indexes).
 */
export function indexKeysFor(type: string, record: Item, isClosed: (r: Item) => boolean = () => false): Item {
  const id = String(record.id);
  const sort = `${sortValue(record)}#${id}`;
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
  return keys;
}


/** Closed opportunities leave the account 360 (they sort below what it reads). */
const isClosedOpportunity = (record: Item) => record.recordType === 'OPPORTUNITY' && CLOSED_STAGES.includes(String(record.stage));

/** The full item of a live record: the record, its type, its key and every index key it belongs to. */
export function itemFor(type: string, record: Item): Item {
  const typed = { ...record, recordType: type };
  return { ...typed, ...recordKey(type, String(record.id)), ...indexKeysFor(type, typed, isClosedOpportunity) };
}

export const ALL_INDEX_ATTRIBUTES: string[] = INDEX_NAMES.flatMap((i) => Object.values(indexKeyAttributes(i)));

/**
 * Holds a unique value (an account code, a user's e-mail) so two live records can never share it. Its
 * `owner` attribute is the owning record's pk, so a workflow can find an account by its code with one
 * GetItem. E-mail addresses are unique whatever their case; codes are upper case by their schema.
 */
export const uniqueValueKey = (type: string, field: string, value: string) => ({
  pk: `UNIQUE#${type}#${field}#${field === 'email' ? value.toLowerCase() : value}`,
  sk: 'UNIQUE',
});

/** Written once the local demo data is complete, so a later start knows not to load it again. */
export const demoDataMarkerKey = { pk: 'LOCAL#demo-data', sk: 'LOADED' };

/**
 * Where Powertools Idempotency keeps the claims on inbound events' idempotency keys: one partition,
 * `sk = INBOUND#<system>#<hash of the key>`, so erp's key "x" and web-forms' key "x" are two claims.
 * Powertools builds the sort key from the prefix (its keyPrefix) and writes the item's attributes itself;
 * the claim expires through the table's TTL attribute.
 */
export const INBOUND_IDEMPOTENCY = {
  pk: 'INBOUND_IDEMPOTENCY',
  keyPrefix: (system: string) => `INBOUND#${system}`,
  /** the sort key of a claim, as Powertools writes it: `<keyPrefix>#<hash>` */
  sk: (system: string, keyHash: string) => `INBOUND#${system}#${keyHash}`,
} as const;

export const QUARANTINED_EVENT_TYPE = 'QUARANTINED_EVENT';
/** A bad inbound event kept for inspection, listed newest first through byType. */
export function quarantinedEventItem(id: string, receivedAt: string, fields: Item): Item {
  const { pk, sk } = indexKeyAttributes('byType');
  return { pk: `QUARANTINE#${id}`, sk: 'EVENT', [pk]: QUARANTINED_EVENT_TYPE, [sk]: `${receivedAt}#${id}`, id, receivedAt, ...fields };
}

/**
 * Marks a signed link (functions/shared/signed-links) as used: put with `attribute_not_exists(pk)` when
 * the link's POST is acted on, `expiresAt` = the token's expiry, so a second use fails its condition.
 */
export const usedLinkKey = (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'USED' });

// ---------------------------------------------------------------------------------------------------
// Trade promotions, funds, campaigns, claims (issue 5). Funds, campaigns, promotions and claims are
// records (recordKey + itemFor); these are the items that live beside them in their partitions.

export const FUND_LEDGER_PREFIX = 'LEDGER#';
/** One fund movement (allocate, reserve, release, spend), named by its business id so a retry writes it once. */
export const fundLedgerKey = (fundId: string, movementId: string) => ({
  pk: recordKey('FUND', fundId).pk,
  sk: `${FUND_LEDGER_PREFIX}${movementId}`,
});

export const ATTRIBUTION_PREFIX = 'ATTRIBUTED#';
export type SettlementTargetType = 'CAMPAIGN' | 'PROMOTION';
/**
 * An order, payment or lead attributed to what is settled (a campaign, or a promotion without one),
 * named by the sending system's id: the same payment delivered three times is one item.
 */
export const attributionKey = (targetType: SettlementTargetType, targetId: string, kind: 'order' | 'payment' | 'lead', externalId: string) => ({
  pk: recordKey(targetType, targetId).pk,
  sk: `${ATTRIBUTION_PREFIX}${kind}#${externalId}`,
});

/** The stored effect report of a settled campaign (or campaign-less promotion). */
export const effectReportKey = (targetType: SettlementTargetType, targetId: string) => ({
  pk: recordKey(targetType, targetId).pk,
  sk: 'EFFECT_REPORT',
});

/** A claim's evidence reference (receipt, photo): held by one live claim, so it is never claimed twice. */
export const evidenceRefKey = (evidenceRef: string) => uniqueValueKey('CLAIM', 'evidenceRef', evidenceRef.toLowerCase());
/*
 * Approvals (issue 4). A policy keeps a head (what is active, the latest version) and one immutable
 * item per version; heads are listed through byType. A request keeps everything in one item
 * collection, read with one Query: the request itself, one item per approval task, and the audit trail
 * (sorted by time). A pending task is in its assignee's inbox (byOwner); deciding it removes it there.
 */
export const APPROVAL_POLICY_TYPE = 'APPROVAL_POLICY';
export const APPROVAL_REQUEST_TYPE = 'APPROVAL';
export const APPROVAL_TASK_TYPE = 'APPROVAL_TASK';
export const APPROVAL_AUDIT_TYPE = 'APPROVAL_AUDIT';
export const APPROVAL_SK = { request: 'REQUEST', taskPrefix: 'TASK#', auditPrefix: 'AUDIT#', policyHead: 'HEAD', policyVersionPrefix: 'VERSION#' } as const;

export const approvalPolicyHeadKey = (policyId: string) => ({ pk: `${APPROVAL_POLICY_TYPE}#${policyId}`, sk: APPROVAL_SK.policyHead });
export const approvalPolicyVersionKey = (policyId: string, version: number) => ({
  pk: `${APPROVAL_POLICY_TYPE}#${policyId}`,
  sk: `${APPROVAL_SK.policyVersionPrefix}${String(version).padStart(6, '0')}`,
});
/** A policy head's index keys: every policy, by id. */
export const approvalPolicyIndexKeys = (policyId: string): Item => ({ byTypePk: listPk.byType(APPROVAL_POLICY_TYPE), byTypeSk: policyId });

export const approvalRequestPk = (requestId: string) => `${APPROVAL_REQUEST_TYPE}#${requestId}`;
export const approvalRequestKey = (requestId: string) => ({ pk: approvalRequestPk(requestId), sk: APPROVAL_SK.request });
/** A request's index keys: the submitter's requests, newest first, and requests by status. */
export const approvalRequestIndexKeys = (request: { requestId: string; submitterId: string; status: string; createdAt: string }): Item => ({
  byOwnerPk: listPk.byOwner(APPROVAL_REQUEST_TYPE, request.submitterId),
  byOwnerSk: `${request.createdAt}#${request.requestId}`,
  byStatusPk: listPk.byStatus(APPROVAL_REQUEST_TYPE, request.status),
  byStatusSk: `${request.createdAt}#${request.requestId}`,
});
export const approvalTaskKey = (requestId: string, taskId: string) => ({ pk: approvalRequestPk(requestId), sk: `${APPROVAL_SK.taskPrefix}${taskId}` });
/** A pending task's inbox keys (its assignee's, soonest due first); removed when the task is decided. */
export const approvalInboxKeys = (assigneeId: string, dueAt: string, requestId: string, taskId: string): Item => ({
  byOwnerPk: listPk.byOwner(APPROVAL_TASK_TYPE, assigneeId),
  byOwnerSk: `${dueAt}#${requestId}#${taskId}`,
});
export const approvalAuditKey = (requestId: string, at: string, entryId: string) => ({
  pk: approvalRequestPk(requestId),
  sk: `${APPROVAL_SK.auditPrefix}${at}#${entryId}`,
});

// ---------------------------------------------------------------------------------------------------
// Nurture sequences (issue 6). Items of the nurture engine; none is a CRM record (no sk RECORD), so
// the table stream's Record.Changed publisher ignores them.

export const NURTURE_SEQUENCE_TYPE = 'NURTURE_SEQUENCE';
/** An enrolment's sort-key prefix inside its lead's collection (byCollection, LEAD#<id>). */
export const NURTURE_ENROLMENT_PREFIX = 'NURTURE#';
const version6 = (version: number) => String(version).padStart(6, '0');

export const nurtureKeys = {
  /** the sequence's head: name, status, latest and active version */
  sequenceHead: (sequenceId: string) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: 'HEAD' }),
  /** one immutable version of the document */
  sequenceVersion: (sequenceId: string, version: number) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: `VERSION#${version6(version)}` }),
  /** counters: enrolled, active, exited by reason, sent, opens, clicks, conversions */
  sequenceStats: (sequenceId: string) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: 'STATS' }),
  /** a head is listed by status (the router reads the active ones) and with every other sequence by type */
  sequenceHeadIndexes: (sequenceId: string, status: string, name: string) => ({
    byStatusPk: listPk.byStatus(NURTURE_SEQUENCE_TYPE, status),
    byStatusSk: `${name.toLowerCase()}#${sequenceId}`,
    byTypePk: listPk.byType(NURTURE_SEQUENCE_TYPE),
    byTypeSk: `${name.toLowerCase()}#${sequenceId}`,
  }),
  enrolment: (enrolmentId: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: 'ENROLMENT' }),
  /**
   * A lead's place in a sequence: how many of its enrolments are active and how many there ever were,
   * changed in the same transaction as each enrolment starts or ends, so that the re-entry policy and the
   * cap hold even when two triggering events for one lead arrive at the same moment.
   */
  leadInSequence: (leadId: string, sequenceId: string) => ({ pk: `NURTURE_LEAD#${leadId}`, sk: `SEQUENCE#${sequenceId}` }),
  /** an enrolment in its lead's collection: the lead's enrolments, per sequence, oldest first */
  enrolmentIndexes: (leadId: string, sequenceId: string, startedAt: string, enrolmentId: string) => ({
    byCollectionPk: collectionPk.lead(leadId),
    byCollectionSk: `${NURTURE_ENROLMENT_PREFIX}${sequenceId}#${startedAt}#${enrolmentId}`,
  }),
  /** the byCollectionSk prefix of a lead's enrolments (in one sequence, or in all) */
  enrolmentsOfLead: (sequenceId?: string) => (sequenceId ? `${NURTURE_ENROLMENT_PREFIX}${sequenceId}#` : NURTURE_ENROLMENT_PREFIX),
  /** one entry of an enrolment's timeline */
  enrolmentEvent: (enrolmentId: string, at: string, what: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: `EVENT#${at}#${what}` }),
  enrolmentEventPrefix: 'EVENT#',
  /**
   * The claim on (enrolment, step), put with attribute_not_exists before the step's side effect (a mail,
   * a score change, a task): a retried or repeated step finds it and does nothing twice. A mail's claim
   * also carries the SES message id, its opens and clicks, and an engagement wait's task token.
   */
  stepClaim: (enrolmentId: string, stepId: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: `STEP#${stepId}` }),
  /** the account-level suppression list: unsubscribed, bounced, complained */
  suppression: (email: string) => ({ pk: `NURTURE_SUPPRESSION#${email.toLowerCase()}`, sk: 'SUPPRESSION' }),
  /** the latest "not enrolled" decision for a lead and a sequence, with its reasons */
  decision: (leadId: string, sequenceId: string) => ({ pk: `NURTURE_DECISION#${leadId}`, sk: `SEQUENCE#${sequenceId}` }),
  decisionPk: (leadId: string) => `NURTURE_DECISION#${leadId}`,
  /** a conversion attributed to a campaign (or "none") and the sequence that nurtured the lead */
  conversion: (campaignId: string | undefined, sequenceId: string, leadId: string) => ({ pk: `CAMPAIGN_CONVERSIONS#${campaignId ?? 'none'}`, sk: `${sequenceId}#${leadId}` }),
  conversionsOfCampaign: (campaignId: string) => `CAMPAIGN_CONVERSIONS#${campaignId}`,
};
