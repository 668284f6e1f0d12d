import type { ApprovalPolicyInput, ApproverSpec } from '../../schemas/approvals/policy';

/*
 * The demo company's approval policies: promotion approval by amount, expense-claim approval and
 * discount approval. They are plain documents that pass ApprovalPolicySchema (test/unit/approval-plan
 * checks that), the way ops would write them.
 *
 * Readings of the requirements
 * - Money. Amounts are integer minor units (DOMAIN, MoneySchema), and thresholds such as "from 50,000"
 *   are read as MAJOR units: 50,000.00 EUR = 5_000_000 minor units. Conditions test
 *   `amount.amountMinor` of the subject's fields. The thresholds are in EUR, so each policy's entry
 *   condition requires `amount.currency` = EUR: a USD request does not silently meet (or miss) a EUR
 *   threshold, it matches no policy, which the caller must treat as "cannot be submitted" until a
 *   policy for that currency exists.
 * - "Area manager" is the submitter's manager from the department tree (the manager of the sales
 *   branch the rep works in; if the rep manages it, the manager above).
 * - "Finance director" is the manager of the Finance department (`departmentManager` d-finance), so
 *   the policy follows the org chart when the post changes hands.
 * - "Sales director": the tree has no sales department above the branches (d-north and d-south hang
 *   straight under d-company, whose manager is the managing director), so no tree rule finds them.
 *   It is a named user, SEED_SALES_DIRECTOR_ID, standing for the demo company's sales director.
 *   A tenant without that user sees "unknown user" in the dry-run's problems before activating.
 * - "Finance" (promotion >= 200,000 EUR, expense claims) is anyone with the finance role.
 * - Discount approval: the requirements give no thresholds; the seed uses `discountPercent` (a number,
 *   percent of list price): the area manager approves every discount, the sales director above 10 %,
 *   finance from 20 %.
 * - All three ask that nobody decides twice in one request (options.distinctDeciders).
 */

export const SEED_SALES_DIRECTOR_ID = 'u-sales-director';
export const SEED_FINANCE_DEPARTMENT_ID = 'd-finance';

const areaManager: ApproverSpec = { kind: 'submitterManager' };
const salesDirector: ApproverSpec = { kind: 'user', userId: SEED_SALES_DIRECTOR_ID };
const financeDirector: ApproverSpec = { kind: 'departmentManager', departmentId: SEED_FINANCE_DEPARTMENT_ID };
const finance: ApproverSpec = { kind: 'role', role: 'finance' };

/** 50,000.00 EUR etc. as minor units. */
const eurMinor = (major: number): number => major * 100;
const inEur = { field: 'amount.currency', op: 'eq', value: 'EUR' } as const;
const amountFrom = (major: number) => ({ field: 'amount.amountMinor', op: 'gte', value: eurMinor(major) }) as const;

export const PROMOTION_APPROVAL: ApprovalPolicyInput = {
  id: 'promotion-approval',
  name: 'Promotion approval by amount',
  description: 'Area manager for every promotion; the sales director from 50,000 EUR; finance from 200,000 EUR.',
  subjectType: 'promotion',
  entryCondition: { all: [inEur, { field: 'amount.amountMinor', op: 'gt', value: 0 }] },
  steps: [
    {
      name: 'Area manager',
      approvers: [areaManager],
      mode: { kind: 'any' },
      dueIn: { amount: 2, unit: 'workingDays' },
      remindEvery: { amount: 1, unit: 'workingDays' },
      onTimeout: { action: 'escalate', to: [salesDirector] },
    },
    {
      name: 'Sales director',
      condition: amountFrom(50_000),
      approvers: [salesDirector],
      mode: { kind: 'any' },
      dueIn: { amount: 2, unit: 'workingDays' },
      remindEvery: { amount: 1, unit: 'workingDays' },
      onTimeout: { action: 'escalate', to: [{ kind: 'departmentManager', departmentId: 'd-company' }] },
    },
    {
      name: 'Finance',
      condition: amountFrom(200_000),
      approvers: [finance],
      mode: { kind: 'any' },
      dueIn: { amount: 3, unit: 'workingDays' },
      remindEvery: { amount: 1, unit: 'workingDays' },
      onTimeout: { action: 'reject', reason: 'Finance did not decide within 3 working days; please resubmit' },
    },
  ],
  options: { distinctDeciders: true },
};

export const EXPENSE_CLAIM_APPROVAL: ApprovalPolicyInput = {
  id: 'expense-claim-approval',
  name: 'Expense claim approval',
  description: 'Finance checks every claim; the finance director also approves claims from 100,000 EUR.',
  subjectType: 'expense-claim',
  entryCondition: inEur,
  steps: [
    {
      name: 'Finance check',
      approvers: [finance],
      mode: { kind: 'any' },
      dueIn: { amount: 3, unit: 'workingDays' },
      remindEvery: { amount: 1, unit: 'workingDays' },
      onTimeout: { action: 'escalate', to: [financeDirector] },
    },
    {
      name: 'Finance director',
      condition: amountFrom(100_000),
      approvers: [financeDirector],
      mode: { kind: 'any' },
      dueIn: { amount: 2, unit: 'workingDays' },
      remindEvery: { amount: 1, unit: 'workingDays' },
      onTimeout: { action: 'reject', reason: 'The finance director did not decide within 2 working days; please resubmit' },
    },
  ],
  options: { distinctDeciders: true },
};

export const DISCOUNT_APPROVAL: ApprovalPolicyInput = {
  id: 'discount-approval',
  name: 'Discount approval',
  description: 'Area manager for every discount; the sales director above 10 %; finance from 20 %.',
  subjectType: 'discount',
  entryCondition: { field: 'discountPercent', op: 'gt', value: 0 },
  steps: [
    {
      name: 'Area manager',
      approvers: [areaManager],
      mode: { kind: 'any' },
      dueIn: { amount: 4, unit: 'workingHours' },
      remindEvery: { amount: 2, unit: 'workingHours' },
      onTimeout: { action: 'escalate', to: [salesDirector] },
    },
    {
      name: 'Sales director',
      condition: { field: 'discountPercent', op: 'gt', value: 10 },
      approvers: [salesDirector],
      mode: { kind: 'any' },
      dueIn: { amount: 1, unit: 'workingDays' },
      remindEvery: { amount: 4, unit: 'workingHours' },
      onTimeout: { action: 'reject', reason: 'Discounts above 10 % need the sales director, who did not decide in time' },
    },
    {
      name: 'Finance',
      condition: { field: 'discountPercent', op: 'gte', value: 20 },
      approvers: [finance],
      mode: { kind: 'any' },
      dueIn: { amount: 1, unit: 'workingDays' },
      onTimeout: { action: 'reject', reason: 'Discounts of 20 % or more need finance, who did not decide in time' },
    },
  ],
  options: { distinctDeciders: true },
};

export const SEED_POLICIES: readonly ApprovalPolicyInput[] = [PROMOTION_APPROVAL, EXPENSE_CLAIM_APPROVAL, DISCOUNT_APPROVAL];
