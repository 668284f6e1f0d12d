import { randomUUID } from 'node:crypto';
import { ClaimSubmitted } from '../../schemas/events';
import { evidenceRefKey, itemFor, recordKey } from '../../schemas/keys';
import { Claims, Promotions } from '../../schemas/promotions/records';
import { referencesIn } from '../../schemas/references';
import { assertCan } from '../platform/access';
import { conflict, invalid, invalidField, notFound } from '../platform/errors';
import { eventToAnnounce } from '../platform/outbox';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import { formatMoney, repeatedEvidence, sumInCurrency } from './promotion-money';
import { assertChangeable, ownershipOf, promotionView, readRecord, type ClaimRecord } from './promotion-store';
import { recordUpdate } from '../platform/record-update';
import { tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { parseInput } from '../platform/validation';

/*
 * Expense claims (DOMAIN.md process 2), what a rep does: a rep claims a closed-out promotion's actual
 * costs. Submitting holds the claim's total against the promotion's claimable money and each evidence
 * reference, in one transaction, so two claims can never together exceed what was approved, nor use one
 * receipt twice. What the workflow does after finance decides is in claim-steps.ts.
 */

const TYPE = Claims.type;
type Line = ClaimRecord['lines'][number];

export async function readLiveClaim(id: string) {
  const item = await readRecord(TYPE, id);
  if (!item || item.deletedAt) throw notFound(`no claim ${id}`);
  return item;
}

export async function getClaim(principal: Principal, id: string) {
  const item = await readLiveClaim(id);
  assertCan(principal, 'read', TYPE, item, id);
  return promotionView(item);
}

async function promotionFor(principal: Principal, promotionId: string) {
  const promotion = await readRecord(Promotions.type, promotionId);
  if (!promotion || promotion.deletedAt) throw invalidField('body.promotionId', `names no promotion you may read (${promotionId})`);
  assertCan(principal, 'read', Promotions.type, promotion, promotionId);
  return promotion;
}

function totalOf(lines: Line[], currency: string) {
  const { totalMinor, issues } = sumInCurrency(lines.map((l, i) => ({ field: `body.lines.${i}.amount`, amount: l.amount })), currency);
  if (issues.length) throw invalid(`a claim is in its promotion's currency (${currency})`, issues);
  return totalMinor;
}

export async function createClaim(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Claims.create, body, 'body');
  const draft = { ...input, ...ownershipOf(input, { ownerId: principal.userId, departmentId: principal.departmentId }) };
  const references = referencesIn(Claims.record, draft);
  await assertReadableReferences(principal, references);
  const promotion = await promotionFor(principal, input.promotionId);
  const record: ClaimRecord = {
    ...draft, id: randomUUID(), version: 1, createdAt: now, updatedAt: now,
    status: 'draft', submission: 0, total: { amountMinor: totalOf(input.lines, promotion.money.currency), currency: promotion.money.currency },
  };
  assertCan(principal, 'write', TYPE, record);
  if (promotion.ownerId !== principal.userId) throw invalidField('body.promotionId', 'is not a promotion of yours; claims are filed by the promotion\'s owner');
  await writeAllOrNothing([
    {
      item: { Put: { TableName: tableName(), Item: itemFor(TYPE, record), ConditionExpression: 'attribute_not_exists(pk)' } },
      whenConditionFails: conflict(`claim ${record.id} exists`),
    },
    ...referenceGuards(references),
  ]);
  return promotionView(record);
}

const EDITABLE: ClaimRecord['status'][] = ['draft', 'rejected'];

export async function updateClaim(principal: Principal, id: string, body: unknown, now: string) {
  const { version, ...changes } = parseInput(Claims.update, body, 'body');
  const current = await readLiveClaim(id);
  assertCan(principal, 'write', TYPE, current, id);
  assertChangeable('claim', id, current, version);
  if (changes.promotionId && changes.promotionId !== current.promotionId) throw invalidField('body.promotionId', 'cannot change; file a new claim');
  if (changes.ownerId || changes.departmentId) throw invalidField('body.ownerId', 'cannot change on a claim');
  const promotion = await promotionFor(principal, current.promotionId);
  const edited = { ...(promotionView(current) as ClaimRecord), ...changes, ...ownershipOf(changes, current), version: version + 1, updatedAt: now };
  const next: ClaimRecord = { ...edited, total: { amountMinor: totalOf(edited.lines, promotion.money.currency), currency: promotion.money.currency } };
  await writeAllOrNothing([{
    item: {
      Put: {
        TableName: tableName(), Item: itemFor(TYPE, next),
        ConditionExpression: 'version = :version AND attribute_not_exists(deletedAt)', ExpressionAttributeValues: { ':version': version },
      },
    },
    whenConditionFails: conflict(`claim ${id} was changed since version ${version}; read it again`),
  }]);
  return promotionView(next);
}

/**
 * Submit: the claim's total must fit what the promotion has left to claim, and no evidence reference
 * may have been claimed before (by this claim's own earlier submission excepted); both are conditions
 * of the one transaction that marks it submitted, then Claim.Submitted starts the claim workflow.
 */
export async function submitClaim(principal: Principal, id: string, now: string) {
  const claim = await readLiveClaim(id);
  assertCan(principal, 'write', TYPE, claim, id);
  if (!EDITABLE.includes(claim.status)) throw conflict(`claim ${id} is ${claim.status}; only a draft or a rejected claim can be submitted`);
  const promotion = await promotionFor(principal, claim.promotionId);
  const { lines } = claim;
  const total = totalOf(lines, promotion.money.currency);
  const money = (minor: number) => formatMoney(minor, promotion.money.currency);
  if (promotion.status !== 'closed-out') {
    throw invalidField('promotionId', `names a promotion that is ${promotion.status}; claims are filed once it is closed out and before it is settled`);
  }
  const repeated = repeatedEvidence(lines.map((l) => l.evidenceRef));
  if (repeated.length) throw invalidField('lines', `name the evidence ${repeated.join(', ')} more than once`);
  const overBudget = invalidField('lines', `add up to ${money(total)}, more than promotion ${promotion.name} has left to claim: ` +
    `${money(promotion.money.claimableMinor)} (approved ${money(promotion.money.approvedMinor)}, claimed ${money(promotion.money.claimedMinor)}, ` +
    `pending ${money(promotion.money.pendingClaimMinor)})`);
  if (total > promotion.money.claimableMinor) throw overBudget;
  const submission = claim.submission + 1;
  const evidenceWrites: GuardedWrite[] = lines.map((line, i) => ({
    item: {
      Put: {
        TableName: tableName(), Item: { ...evidenceRefKey(line.evidenceRef), owner: recordKey(TYPE, id).pk, evidenceRef: line.evidenceRef },
        ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': recordKey(TYPE, id).pk },
      },
    },
    whenConditionFails: invalidField(`lines.${i}.evidenceRef`, `${line.evidenceRef} was already claimed in another claim; each receipt or photo is claimed once`),
  }));
  await writeAllOrNothing([
    recordUpdate({
      type: TYPE, id, now, status: 'submitted', set: { submission, submittedAt: now, total: { amountMinor: total, currency: promotion.money.currency } },
      remove: ['rejectionReasons'],
      condition: '#version = :version', values: { ':version': claim.version },
      whenConditionFails: conflict(`claim ${id} changed while it was being submitted; read it again`),
    }),
    recordUpdate({
      type: Promotions.type, id: claim.promotionId, now,
      inc: { 'money.claimableMinor': -total, 'money.pendingClaimMinor': total },
      condition: '#status = :closedOut AND #money.#claimable >= :total',
      names: { '#money': 'money', '#claimable': 'claimableMinor' },
      values: { ':closedOut': 'closed-out', ':total': total },
      whenConditionFails: overBudget,
    }),
    ...evidenceWrites,
    // announced in the same transaction: its workflow starts however the request ends after this
    eventToAnnounce(`claim-submitted#${id}#${submission}`, ClaimSubmitted, {
      claimId: id, submission, promotionId: claim.promotionId, promotionName: promotion.name, submitterId: principal.userId,
      ownerId: claim.ownerId, departmentId: claim.departmentId, region: promotion.region,
      amount: { amountMinor: total, currency: promotion.money.currency },
    }, now),
  ]);
  return getClaim(principal, id);
}

