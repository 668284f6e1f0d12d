import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalSubject, SubjectFact } from '../../schemas/approvals/policy';
import { SUBJECT_PARAMETERS, type RequestedSubject } from '../../schemas/approvals/request';
import type { Money } from '../../schemas/common';
import type { PromotionRecord } from '../../schemas/promotions/records';
import type { Account, Opportunity } from '../../schemas/records';
import { recordKey } from '../../schemas/keys';
import { covers, scopeOf } from '../platform/access';
import { forbidden, invalid, invalidField, type FieldIssue } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { documentClient, tableName } from '../platform/table';

/*
 * What POST /approvals may ask about. A subject type backed by a record (a promotion, an expense
 * claim, a discount on an opportunity, a credit limit on an account) names that record by id; the
 * caller must be able to read it (the rule GET applies), and its owner, title, facts and the fields
 * policies test are read from it, never taken from the body: approvers' mail prints only those. A type
 * may also take parameters no record holds (the discount asked for). Any other type is free-form: its
 * subject is what the body says, so only ops and admin may ask for one.
 */

type Item = Record<string, unknown>;
type ClaimItem = { promotionId: string; lines?: { amount: Money }[]; total?: Money };

interface RecordSubject {
  recordType: string;
  /** what the refusal calls it */
  label: string;
  read(record: Item, parameters: Item, nameOf: NameOf): Promise<Pick<ApprovalSubject, 'title' | 'fields' | 'facts'>>;
}

/** The name of a record the subject refers to (a promotion's accounts and fund); its id when it has none. */
type NameOf = (type: string, id: string) => Promise<string>;

const readItem = async (type: string, id: string): Promise<Item | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(type, id) }))).Item;
const nameOf: NameOf = async (type, id) => {
  const name: unknown = (await readItem(type, id))?.name;
  return typeof name === 'string' && name.trim() ? name : id;
};

/** As many names as a fact holds (SubjectFactSchema). */
const MAX_NAMES = 20;

const sumOf = (lines: { amount: Money }[]): Money | undefined =>
  lines.every((l) => l.amount.currency === lines[0]?.amount.currency) && lines[0]
    ? { amountMinor: lines.reduce((sum, l) => sum + l.amount.amountMinor, 0), currency: lines[0].amount.currency }
    : undefined;
/** A catalogue entry over a record's stored shape (the table holds what the record's schema wrote). */
const recordSubject = <T>(recordType: string, label: string, read: (record: T, parameters: Item, name: NameOf) => Promise<Pick<ApprovalSubject, 'title' | 'fields' | 'facts'>>): RecordSubject =>
  ({ recordType, label, read: (record, parameters, name) => read(record as unknown as T, parameters, name) });

const text = (label: string, value: unknown): SubjectFact[] => (typeof value === 'string' && value.trim() ? [{ label, text: value }] : []);

export const RECORD_SUBJECTS: Record<string, RecordSubject> = {
  // what the promotion lifecycle's own request shows (workflows/promotion-lifecycle.ts)
  promotion: recordSubject<PromotionRecord>('PROMOTION', 'promotion', async (p, _parameters, name) => ({
    title: p.name,
    fields: { amount: { amountMinor: p.money.budgetMinor, currency: p.money.currency }, region: p.region, type: p.type, fundId: p.fundId },
    facts: [
      { label: 'Accounts', text: await Promise.all(p.accountIds.slice(0, MAX_NAMES).map((id) => name('ACCOUNT', id))) },
      { label: 'Fund', text: await name('FUND', p.fundId) },
      ...text('Type', p.type), { label: 'Starts', at: p.startsAt }, { label: 'Ends', at: p.endsAt },
    ],
  })),
  'expense-claim': recordSubject<ClaimItem>('CLAIM', 'expense claim', async (c, _parameters, name) => {
    const amount = c.total ?? sumOf(c.lines ?? []);
    return { title: await name('PROMOTION', c.promotionId), fields: { ...(amount ? { amount } : {}), promotionId: c.promotionId }, facts: [] };
  }),
  discount: recordSubject<Opportunity>('OPPORTUNITY', 'opportunity', async (o, { discountPercent }) => ({
    title: o.name,
    fields: { amount: o.amount, stage: o.stage, discountPercent },
    facts: [...text('Stage', o.stage), { label: 'Discount', text: `${String(discountPercent)} %` }],
  })),
  // conditions test the limit asked for as `amount`, like every other subject's money
  'credit-limit': recordSubject<Account>('ACCOUNT', 'account', async (a, { creditLimit }) => ({
    title: a.name,
    fields: { amount: creditLimit, currentCreditLimit: a.creditLimit ?? null, creditRating: a.creditRating ?? null },
    facts: [...text('Account code', a.code), ...text('Credit rating', a.creditRating)],
  })),
};

/** What only a free-form subject may say: a record-backed one reads these from its record. */
const FROM_THE_RECORD = ['ownerId', 'departmentId', 'title', 'facts'] as const;

/** The subject a request runs with: read from its record, or (ops and admin only) as the body says it. */
export async function subjectFor(requested: RequestedSubject, principal: Principal): Promise<ApprovalSubject> {
  const kind = Object.hasOwn(RECORD_SUBJECTS, requested.type) ? RECORD_SUBJECTS[requested.type]! : undefined;
  if (!kind) {
    if (!principal.roles.some((r) => r === 'ops' || r === 'admin')) {
      throw forbidden(`${requested.type} is not a subject type backed by a record (${Object.keys(RECORD_SUBJECTS).join(', ')}); only ops and admin may ask for approval of free-form subjects`);
    }
    return { ...requested, fields: requested.fields ?? {} };
  }
  const issues: FieldIssue[] = FROM_THE_RECORD.filter((key) => requested[key] !== undefined)
    .map((key) => ({ field: `body.subject.${key}`, message: `is read from the ${kind.label}; leave it out` }));
  // the type's parameters (SUBJECT_PARAMETERS) were checked with the body
  const takesParameters = Object.hasOwn(SUBJECT_PARAMETERS, requested.type);
  if (!takesParameters && requested.fields !== undefined) issues.push({ field: 'body.subject.fields', message: `are read from the ${kind.label}; leave them out` });
  if (issues.length) throw invalid(`a ${requested.type} request names its ${kind.label}; the rest is read from it`, issues);
  const parameters = takesParameters ? requested.fields ?? {} : {};

  const record = await readItem(kind.recordType, requested.id);
  // one answer for "does not exist" and "not yours": a request must not tell which records exist
  if (!record || record.deletedAt || !covers(scopeOf(principal, kind.recordType, 'read'), principal, record)) {
    throw invalidField('body.subject.id', `names no ${kind.label} you may read`);
  }
  const { title, fields, facts } = await kind.read(record, parameters, nameOf);
  return {
    type: requested.type, id: requested.id, ownerId: String(record.ownerId), departmentId: String(record.departmentId), fields,
    ...(title ? { title } : {}), ...(facts?.length ? { facts } : {}),
  };
}
