import { describe, expect, it } from 'vitest';
import type { ApprovalPolicy, ApprovalPolicyInput, ApprovalStep, ApprovalSubject } from '../../schemas/approvals/policy';
import { ApprovalPolicySchema, ApprovalSubjectSchema, StoredPolicyVersionSchema } from '../../schemas/approvals/policy';
import { DISCOUNT_APPROVAL, EXPENSE_CLAIM_APPROVAL, PROMOTION_APPROVAL, SEED_POLICIES } from '../../local/seed/approval-policies';
import { DEFAULT_CALENDAR } from '../../schemas/calendar';
import type { ApprovalDirectory, ApprovalPlan, DirectoryDepartment, DirectoryUser, StepPlan } from '../../functions/approvals/approval-plan';
import { planApproval, reassignmentRefusal } from '../../functions/approvals/approval-plan';

// ---------------------------------------------------------------------------------------------------
// The demo company, plus the people the seed policies need (an area manager per branch, directors)

const DEPARTMENTS: DirectoryDepartment[] = [
  { id: 'd-group' },
  { id: 'd-company', parentId: 'd-group', managerUserId: 'u-admin' },
  { id: 'd-north', parentId: 'd-company', managerUserId: 'u-north-manager' },
  { id: 'd-south', parentId: 'd-company', managerUserId: 'u-south-manager' },
  { id: 'd-marketing', parentId: 'd-company', managerUserId: 'u-marketing' },
  { id: 'd-finance', parentId: 'd-company', managerUserId: 'u-finance-director' },
  { id: 'd-ops', parentId: 'd-company', managerUserId: 'u-ops' },
];

const person = (id: string, roles: DirectoryUser['roles'], departmentId: string, timeZone = 'Europe/Berlin'): DirectoryUser => ({
  id,
  roles,
  departmentId,
  timeZone,
  status: 'active',
});

const USERS: DirectoryUser[] = [
  person('u-admin', ['admin'], 'd-company'),
  person('u-ops', ['ops'], 'd-ops'),
  person('u-marketing', ['marketing'], 'd-marketing'),
  person('u-finance', ['finance'], 'd-finance'),
  person('u-finance-director', ['finance'], 'd-finance'),
  person('u-sales', ['sales'], 'd-north'),
  person('u-sales-south', ['sales'], 'd-south', 'Europe/Madrid'),
  person('u-north-manager', ['sales'], 'd-north'),
  person('u-south-manager', ['sales'], 'd-south', 'Europe/Madrid'),
  person('u-sales-director', ['sales'], 'd-company'),
];

/** An in-memory directory; `users` patches the demo users by id (a patch with `status` etc.). */
const directoryOf = (users: Record<string, Partial<DirectoryUser>> = {}, departments: DirectoryDepartment[] = DEPARTMENTS): ApprovalDirectory => {
  const all = [...USERS.map((user) => ({ ...user, ...users[user.id] })), ...Object.entries(users).filter(([id]) => !USERS.some((u) => u.id === id)).map(([id, patch]) => ({ ...person(id, ['sales'], 'd-north'), ...patch }))];
  return {
    getUser: (id) => all.find((user) => user.id === id),
    usersWithRole: (role, departmentId) => all.filter((user) => user.roles.includes(role) && (departmentId === undefined || user.departmentId === departmentId)),
    getDepartment: (id) => departments.find((department) => department.id === id),
  };
};

const parsePolicy = (input: ApprovalPolicyInput): ApprovalPolicy => ApprovalPolicySchema.parse(input);

const issues = (input: unknown): string[] => {
  const parsed = ApprovalPolicySchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

const eur = (major: number) => ({ amountMinor: major * 100, currency: 'EUR' });
const promotion = (major: number, extra: Partial<ApprovalSubject> = {}): ApprovalSubject => ({
  type: 'promotion',
  id: 'promo-1',
  ownerId: 'u-sales',
  departmentId: 'd-north',
  fields: { name: 'Summer beverages', amount: eur(major), region: 'North' },
  ...extra,
});

const SALES_NORTH = { userId: 'u-sales', departmentId: 'd-north' };
/** Wednesday 2026-03-11 10:00 Berlin (09:00Z), inside working hours. */
const WEDNESDAY = new Date('2026-03-11T09:00:00Z');

const plan = (policy: ApprovalPolicyInput, subject: ApprovalSubject, options: { submitter?: { userId: string; departmentId: string }; now?: Date; directory?: ApprovalDirectory } = {}): ApprovalPlan =>
  planApproval({
    policy: parsePolicy(policy),
    subject,
    submitter: options.submitter ?? SALES_NORTH,
    now: options.now ?? WEDNESDAY,
    directory: options.directory ?? directoryOf(),
  });

const applying = (result: ApprovalPlan): StepPlan[] => result.steps.filter((step) => step.applies);
const approverIds = (step: StepPlan | undefined) => step?.approvers.map((approver) => approver.userId);

const step = (overrides: Partial<ApprovalStep> = {}): ApprovalStep => ({
  name: 'Check',
  approvers: [{ kind: 'role', role: 'finance' }],
  mode: { kind: 'any' },
  dueIn: { amount: 1, unit: 'workingDays' },
  onTimeout: { action: 'approve' },
  ...overrides,
});
const policyWith = (steps: ApprovalStep[], extra: Partial<ApprovalPolicyInput> = {}): ApprovalPolicyInput => ({
  id: 'test-policy',
  name: 'Test policy',
  subjectType: 'promotion',
  steps,
  ...extra,
});

// ---------------------------------------------------------------------------------------------------

describe('seed policies', () => {
  it('all pass the schema, and an omitted calendar becomes the default calendar', () => {
    for (const policy of SEED_POLICIES) expect(issues(policy), policy.id).toEqual([]);
    expect(parsePolicy(PROMOTION_APPROVAL).calendar).toEqual(DEFAULT_CALENDAR);
    expect(parsePolicy(PROMOTION_APPROVAL).options).toEqual({ distinctDeciders: true });
    expect(parsePolicy(policyWith([step()])).options).toEqual({ distinctDeciders: false });
  });

  it.each([
    [30_000, ['Area manager'], [['u-north-manager']]],
    [80_000, ['Area manager', 'Sales director'], [['u-north-manager'], ['u-sales-director']]],
    [250_000, ['Area manager', 'Sales director', 'Finance'], [['u-north-manager'], ['u-sales-director'], ['u-finance', 'u-finance-director']]],
  ])('promotion of %i EUR: the steps %j with their approvers', (major, names, approvers) => {
    const result = plan(PROMOTION_APPROVAL, promotion(major));
    expect(result.applies).toBe(true);
    expect(applying(result).map((s) => s.name)).toEqual(names);
    expect(applying(result).map(approverIds)).toEqual(approvers);
    expect(result.ready).toBe(true);
    const [first] = applying(result);
    expect(first?.approvers[0]).toMatchObject({ userId: 'u-north-manager', via: 'manager', timeZone: 'Europe/Berlin' });
  });

  it('routes each step of the promotion policy to the approver it names, and resolves escalation targets', () => {
    const result = plan(PROMOTION_APPROVAL, promotion(250_000));
    expect(result.steps.map((s) => s.approvers.map((a) => a.via))).toEqual([['manager'], ['user'], ['role', 'role']]);
    expect(result.steps[0]?.escalation?.approvers.map((a) => a.userId)).toEqual(['u-sales-director']);
    expect(result.steps[1]?.escalation?.approvers).toMatchObject([{ userId: 'u-admin', via: 'department-manager' }]);
  });

  it('reads 50,000 as major units: exactly 50,000.00 EUR needs the sales director, 49,999.99 does not', () => {
    const at = (amountMinor: number) => applying(plan(PROMOTION_APPROVAL, promotion(0, { fields: { amount: { amountMinor, currency: 'EUR' } } }))).length;
    expect(at(5_000_000)).toBe(2);
    expect(at(4_999_999)).toBe(1);
  });

  it('expense claims: finance, and the finance director (the Finance manager) from 100,000 EUR', () => {
    const claim = (major: number): ApprovalSubject => ({ type: 'expense-claim', id: 'claim-1', ownerId: 'u-sales', fields: { amount: eur(major) } });
    const small = plan(EXPENSE_CLAIM_APPROVAL, claim(2_000));
    expect(applying(small).map(approverIds)).toEqual([['u-finance', 'u-finance-director']]);
    const large = plan(EXPENSE_CLAIM_APPROVAL, claim(150_000));
    expect(applying(large).map(approverIds)).toEqual([['u-finance', 'u-finance-director'], ['u-finance-director']]);
    expect(large.steps[1]?.approvers[0]?.via).toBe('department-manager');
  });

  it('discounts: area manager, sales director above 10 %, finance from 20 %', () => {
    const discount = (discountPercent: number): ApprovalSubject => ({ type: 'discount', id: 'disc-1', ownerId: 'u-sales', fields: { discountPercent } });
    expect(applying(plan(DISCOUNT_APPROVAL, discount(5))).map((s) => s.name)).toEqual(['Area manager']);
    expect(applying(plan(DISCOUNT_APPROVAL, discount(15))).map((s) => s.name)).toEqual(['Area manager', 'Sales director']);
    expect(applying(plan(DISCOUNT_APPROVAL, discount(25))).map((s) => s.name)).toEqual(['Area manager', 'Sales director', 'Finance']);
    expect(plan(DISCOUNT_APPROVAL, discount(0)).applies).toBe(false);
  });
});

describe('whether the policy and its steps apply', () => {
  it('says in words why a step is skipped by its condition', () => {
    const result = plan(PROMOTION_APPROVAL, promotion(30_000));
    const director = result.steps[1];
    expect(director).toMatchObject({ name: 'Sales director', applies: false, approvers: [] });
    expect(director?.reasons).toEqual(['amount.amountMinor is 3000000, not >= 5000000']);
    expect(result.steps[0]?.reasons).toEqual(['no condition: always applies']);
    expect(plan(PROMOTION_APPROVAL, promotion(80_000)).steps[1]?.reasons).toEqual(['amount.amountMinor is 8000000, which is >= 5000000']);
  });

  it('does not apply to another subject type, nor (entry condition) to another currency', () => {
    const claim = plan(PROMOTION_APPROVAL, { ...promotion(80_000), type: 'expense-claim' });
    expect(claim.applies).toBe(false);
    expect(claim.ready).toBe(false);
    expect(claim.entryExplanation.reasons).toEqual(['the request\'s type is "expense-claim"; this policy is for "promotion"']);
    const usd = plan(PROMOTION_APPROVAL, promotion(0, { fields: { amount: { amountMinor: 8_000_000, currency: 'USD' } } }));
    expect(usd.applies).toBe(false);
    expect(usd.entryExplanation.reasons).toEqual(['amount.currency is "USD", not "EUR"']);
  });

  it('reports a plan in which no step applies', () => {
    const result = plan(policyWith([step({ condition: { field: 'region', op: 'eq', value: 'South' } })]), promotion(100));
    expect(result.problems).toEqual(['no step applies, so the request would be approved without anyone deciding']);
    expect(result.ready).toBe(false);
  });
});

describe('who approves', () => {
  it('leaves the submitter out of a role step they belong to, with the reason', () => {
    const claim: ApprovalSubject = { type: 'expense-claim', id: 'claim-2', ownerId: 'u-finance', fields: { amount: eur(500) } };
    const result = plan(EXPENSE_CLAIM_APPROVAL, claim, { submitter: { userId: 'u-finance', departmentId: 'd-finance' } });
    const [check] = result.steps;
    expect(approverIds(check)).toEqual(['u-finance-director']);
    expect(check?.excluded).toEqual([{ userId: 'u-finance', reason: 'submitter' }]);
    expect(check?.problems).toEqual([]);
  });

  it('leaves the record owner out, and says when nobody is left after segregation of duties', () => {
    const ownedByDirector = promotion(80_000, { ownerId: 'u-sales-director' });
    const result = plan(PROMOTION_APPROVAL, ownedByDirector);
    const director = result.steps[1];
    expect(director?.approvers).toEqual([]);
    expect(director?.excluded).toEqual([{ userId: 'u-sales-director', reason: 'record owner' }]);
    expect(director?.problems).toEqual(['no approver left after segregation of duties (u-sales-director: record owner)']);
    expect(result.ready).toBe(false);
  });

  it('routes a manager who submits to the parent department\'s manager', () => {
    const result = plan(PROMOTION_APPROVAL, promotion(30_000, { ownerId: 'u-north-manager' }), { submitter: { userId: 'u-north-manager', departmentId: 'd-north' } });
    expect(result.steps[0]?.approvers).toMatchObject([{ userId: 'u-admin', via: 'manager' }]);
    expect(result.steps[0]?.excluded).toEqual([]);
  });

  it('walks up past a department without a manager, and reports a tree with none', () => {
    const noNorthManager = DEPARTMENTS.map((d) => (d.id === 'd-north' ? { id: 'd-north', parentId: 'd-company' } : d));
    expect(approverIds(plan(PROMOTION_APPROVAL, promotion(30_000), { directory: directoryOf({}, noNorthManager) }).steps[0])).toEqual(['u-admin']);
    const noManagers = DEPARTMENTS.map(({ id, parentId }) => (parentId ? { id, parentId } : { id }));
    const result = plan(PROMOTION_APPROVAL, promotion(30_000), { directory: directoryOf({}, noManagers) });
    expect(result.steps[0]?.problems).toEqual([
      'no department from d-north up to the top has a manager other than the requester or submitter',
      "no approver found for the submitter's manager",
    ]);
  });

  it('withinSubmitterDepartment limits a role to the requester\'s department: the record owner\'s, else the submitter\'s', () => {
    const policy = policyWith([step({ approvers: [{ kind: 'role', role: 'sales', withinSubmitterDepartment: true }] })]);
    const result = plan(policy, promotion(100, { ownerId: undefined }));
    expect(approverIds(result.steps[0])).toEqual(['u-north-manager']);
    expect(result.steps[0]?.excluded).toEqual([{ userId: 'u-sales', reason: 'submitter' }]);
    expect(approverIds(plan(policy, promotion(100, { ownerId: 'u-admin' })).steps[0])).toEqual(['u-sales-director']);
  });

  it("follows the record owner's tree when someone else submits on their behalf, passing over both", () => {
    // ops (who manage Sales Operations) submit the rep's promotion: the rep's area manager decides
    const byOps = plan(PROMOTION_APPROVAL, promotion(30_000), { submitter: { userId: 'u-ops', departmentId: 'd-ops' } });
    expect(approverIds(byOps.steps[0])).toEqual(['u-north-manager']);
    // the area manager submits the rep's promotion: the manager above decides, never the owner
    const byManager = plan(PROMOTION_APPROVAL, promotion(30_000), { submitter: { userId: 'u-north-manager', departmentId: 'd-north' } });
    expect(approverIds(byManager.steps[0])).toEqual(['u-admin']);
  });

  it('skips inactive and unknown users with the reason', () => {
    const policy = policyWith([step({ approvers: [{ kind: 'user', userId: 'u-nobody' }, { kind: 'role', role: 'finance' }] })]);
    const result = plan(policy, promotion(100), { directory: directoryOf({ 'u-finance': { status: 'inactive' } }) });
    expect(approverIds(result.steps[0])).toEqual(['u-finance-director']);
    expect(result.steps[0]?.excluded).toEqual([
      { userId: 'u-nobody', reason: 'unknown user' },
      { userId: 'u-finance', reason: 'inactive' },
    ]);
  });

  it('a recordOwner approver needs an owner on the request', () => {
    const policy = policyWith([step({ approvers: [{ kind: 'recordOwner' }] })]);
    const owned = plan(policy, promotion(100, { ownerId: 'u-south-manager' }));
    expect(owned.steps[0]?.approvers).toMatchObject([{ userId: 'u-south-manager', via: 'owner', timeZone: 'Europe/Madrid' }]);
    // whatever the order of the specs
    const both = plan(policyWith([step({ approvers: [{ kind: 'role', role: 'sales' }, { kind: 'recordOwner' }] })]), promotion(100, { ownerId: 'u-south-manager' }));
    expect(both.steps[0]?.approvers.find((a) => a.userId === 'u-south-manager')?.via).toBe('owner');
    expect(both.steps[0]?.excluded).toEqual([{ userId: 'u-sales', reason: 'submitter' }]);
    // the explicit recordOwner spec is the one route by which the owner approves; never when they submitted
    const ownerSubmits = plan(policy, promotion(100, { ownerId: 'u-sales' }));
    expect(ownerSubmits.steps[0]?.excluded).toEqual([{ userId: 'u-sales', reason: 'submitter' }]);
    const unowned = plan(policy, promotion(100, { ownerId: undefined }));
    expect(unowned.steps[0]?.problems[0]).toBe("the request names no record owner, so the record's owner cannot approve");
  });
});

describe('delegation', () => {
  const away = (until: string, delegateId?: string): Partial<DirectoryUser> => ({ awayUntil: until, ...(delegateId ? { delegateId } : {}) });

  it('routes to the delegate while the approver is away, and not after awayUntil', () => {
    const directory = directoryOf({ 'u-north-manager': away('2026-03-20T08:00:00Z', 'u-south-manager') });
    const during = plan(PROMOTION_APPROVAL, promotion(30_000), { directory });
    expect(during.steps[0]?.approvers).toMatchObject([{ userId: 'u-south-manager', via: 'delegate', delegatedFrom: 'u-north-manager', timeZone: 'Europe/Madrid' }]);
    expect(during.steps[0]?.problems).toEqual([]);
    const after = plan(PROMOTION_APPROVAL, promotion(30_000), { directory, now: new Date('2026-03-20T08:00:00Z') });
    expect(after.steps[0]?.approvers).toMatchObject([{ userId: 'u-north-manager', via: 'manager' }]);
    expect(after.steps[0]?.approvers[0]?.delegatedFrom).toBeUndefined();
  });

  it('reads a date-only awayUntil as back at the start of that day in the user\'s zone', () => {
    const directory = directoryOf({ 'u-north-manager': away('2026-03-12', 'u-admin') });
    const wednesday = plan(PROMOTION_APPROVAL, promotion(30_000), { directory });
    expect(approverIds(wednesday.steps[0])).toEqual(['u-admin']);
    // 2026-03-12 00:00 Berlin is 2026-03-11T23:00Z
    const thursday = plan(PROMOTION_APPROVAL, promotion(30_000), { directory, now: new Date('2026-03-11T23:00:00Z') });
    expect(approverIds(thursday.steps[0])).toEqual(['u-north-manager']);
  });

  it('follows a delegate who is away too, at most 3 hops, and never round a cycle', () => {
    const chain = directoryOf({
      'u-north-manager': away('2026-04-01T00:00:00Z', 'u-south-manager'),
      'u-south-manager': away('2026-04-01T00:00:00Z', 'u-admin'),
    });
    expect(plan(PROMOTION_APPROVAL, promotion(30_000), { directory: chain }).steps[0]?.approvers).toMatchObject([
      { userId: 'u-admin', via: 'delegate', delegatedFrom: 'u-north-manager' },
    ]);

    const cycle = directoryOf({
      'u-north-manager': away('2026-04-01T00:00:00Z', 'u-south-manager'),
      'u-south-manager': away('2026-04-01T00:00:00Z', 'u-north-manager'),
    });
    const looped = plan(PROMOTION_APPROVAL, promotion(30_000), { directory: cycle });
    expect(looped.steps[0]?.approvers).toMatchObject([{ userId: 'u-north-manager', via: 'manager' }]);
    expect(looped.steps[0]?.problems).toEqual([
      'u-north-manager is away until 2026-04-01T00:00:00Z and delegation goes round in a circle back to u-north-manager, so the task stays with them',
    ]);

    const long = directoryOf({
      'u-north-manager': away('2026-04-01T00:00:00Z', 'u-d1'),
      'u-d1': away('2026-04-01T00:00:00Z', 'u-d2'),
      'u-d2': away('2026-04-01T00:00:00Z', 'u-d3'),
      'u-d3': away('2026-04-01T00:00:00Z', 'u-admin'),
    });
    const tooLong = plan(PROMOTION_APPROVAL, promotion(30_000), { directory: long });
    expect(approverIds(tooLong.steps[0])).toEqual(['u-north-manager']);
    expect(tooLong.steps[0]?.problems[0]).toContain('the delegation chain is longer than 3');
  });

  it('never delegates to the submitter; the task stays with the away approver and the plan says so', () => {
    const directory = directoryOf({ 'u-north-manager': away('2026-04-01T00:00:00Z', 'u-sales') });
    const result = plan(PROMOTION_APPROVAL, promotion(30_000), { directory });
    expect(approverIds(result.steps[0])).toEqual(['u-north-manager']);
    expect(result.steps[0]?.excluded).toEqual([{ userId: 'u-sales', reason: 'submitter', detail: 'delegate of u-north-manager' }]);
    expect(result.steps[0]?.problems[0]).toContain('the delegate u-sales is the submitter and may not decide');
  });

  it('merges an approver into their delegate when the delegate is an approver of the step already', () => {
    const directory = directoryOf({ 'u-finance': away('2026-04-01T00:00:00Z', 'u-finance-director') });
    const result = plan(policyWith([step({ mode: { kind: 'all' } })]), promotion(100), { directory });
    expect(approverIds(result.steps[0])).toEqual(['u-finance-director']);
    expect(result.steps[0]?.excluded).toMatchObject([{ userId: 'u-finance-director', reason: 'already an approver' }]);
  });
});

describe('problems a dry-run reports', () => {
  it('a quorum larger than the approvers a role resolves to', () => {
    const result = plan(policyWith([step({ mode: { kind: 'quorum', count: 3 } })]), promotion(100));
    expect(result.steps[0]?.problems).toEqual(['quorum 3 but only 2 approvers']);
    expect(result.ready).toBe(false);
    expect(plan(policyWith([step({ mode: { kind: 'quorum', count: 2 } })]), promotion(100)).ready).toBe(true);
  });

  it('a quorum that segregation of duties makes impossible', () => {
    const result = plan(policyWith([step({ mode: { kind: 'quorum', count: 2 } })]), promotion(100), { submitter: { userId: 'u-finance', departmentId: 'd-finance' } });
    expect(result.steps[0]?.problems).toEqual(['quorum 2 but only 1 approver']);
  });

  it('with distinct deciders, a step whose only approver may have decided in an earlier step', () => {
    const claim: ApprovalSubject = { type: 'expense-claim', id: 'claim-3', ownerId: 'u-finance', fields: { amount: eur(150_000) } };
    const result = plan(EXPENSE_CLAIM_APPROVAL, claim, { submitter: { userId: 'u-finance', departmentId: 'd-finance' } });
    expect(result.steps[1]?.problems).toEqual([
      'with distinct deciders, 0 of this step\'s approvers certainly did not decide in an earlier step but it needs 1 (u-finance-director also approves "Finance check")',
    ]);
    const without = plan({ ...EXPENSE_CLAIM_APPROVAL, options: { distinctDeciders: false } }, claim, { submitter: { userId: 'u-finance', departmentId: 'd-finance' } });
    expect(without.steps[1]?.problems).toEqual([]);
  });

  it('an unknown named approver and an unknown department', () => {
    const policy = policyWith([
      step({ approvers: [{ kind: 'user', userId: 'u-gone' }] }),
      step({ name: 'Head', approvers: [{ kind: 'departmentManager', departmentId: 'd-nowhere' }] }),
    ]);
    const result = plan(policy, promotion(100));
    expect(result.steps[0]?.excluded).toEqual([{ userId: 'u-gone', reason: 'unknown user' }]);
    expect(result.steps[0]?.problems).toEqual(['no approver found for user u-gone']);
    expect(result.steps[1]?.problems).toEqual(['department d-nowhere is unknown', 'no approver found for the manager of department d-nowhere']);
  });
});

describe('deadlines on business time, per approver', () => {
  it('a Friday 18:00 Europe/Berlin submission due in 1 working day is due Monday 17:00 Berlin', () => {
    const friday1800Berlin = new Date('2026-03-13T17:00:00Z'); // CET, UTC+1
    const policy = policyWith([step({ approvers: [{ kind: 'user', userId: 'u-finance' }], remindEvery: { amount: 4, unit: 'workingHours' } })]);
    const result = plan(policy, promotion(100), { now: friday1800Berlin });
    expect(result.steps[0]?.approvers).toEqual([
      { userId: 'u-finance', via: 'user', timeZone: 'Europe/Berlin', dueAt: '2026-03-16T16:00:00.000Z', remindAt: '2026-03-16T12:00:00.000Z' },
    ]);
  });

  it('each approver gets the deadline of their own time zone', () => {
    const policy = policyWith([step({ approvers: [{ kind: 'user', userId: 'u-finance' }, { kind: 'user', userId: 'u-london' }] })]);
    const directory = directoryOf({ 'u-london': { roles: ['finance'], departmentId: 'd-finance', timeZone: 'Europe/London' } });
    const result = plan(policy, promotion(100), { now: new Date('2026-03-13T17:00:00Z'), directory });
    // Friday 17:00 in London is already closed: Monday 17:00 London (UTC+0)
    expect(result.steps[0]?.approvers.map((a) => [a.userId, a.dueAt])).toEqual([
      ['u-finance', '2026-03-16T16:00:00.000Z'],
      ['u-london', '2026-03-16T17:00:00.000Z'],
    ]);
  });

  it('uses the policy calendar\'s holidays, and leaves out a reminder that would come after the deadline', () => {
    const calendar = { ...DEFAULT_CALENDAR, id: 'de-be', name: 'Berlin', holidays: ['2026-03-16'] };
    const policy = policyWith([step({ approvers: [{ kind: 'user', userId: 'u-finance' }], remindEvery: { amount: 2, unit: 'days' } })], { calendar });
    const result = plan(policy, promotion(100), { now: new Date('2026-03-13T17:00:00Z') });
    expect(result.steps[0]?.approvers[0]?.dueAt).toBe('2026-03-17T16:00:00.000Z');
    expect(result.steps[0]?.approvers[0]?.remindAt).toBe('2026-03-15T17:00:00.000Z');
    const late = plan(policyWith([step({ approvers: [{ kind: 'user', userId: 'u-finance' }], remindEvery: { amount: 5, unit: 'days' } })]), promotion(100), {
      now: new Date('2026-03-13T17:00:00Z'),
    });
    expect(late.steps[0]?.approvers[0]?.remindAt).toBeUndefined();
  });
});

describe('the schema refuses bad policies with path-named errors', () => {
  const valid = policyWith([step()]);

  it('accepts a minimal policy', () => {
    expect(issues(valid)).toEqual([]);
  });

  it('names the path of each problem', () => {
    expect(
      issues({
        ...valid,
        subjectType: 'Expense Claim',
        steps: [
          step({ name: 'Check' }),
          step({ name: ' check ', approvers: [{ kind: 'user', userId: 'u-a' }, { kind: 'user', userId: 'u-b' }], mode: { kind: 'quorum', count: 3 } }),
          step({ name: 'Escalating', onTimeout: { action: 'escalate', to: [] } }),
          step({ name: 'Reminding', dueIn: { amount: 2, unit: 'hours' }, remindEvery: { amount: 120, unit: 'minutes' } }),
        ],
      }),
    ).toEqual([
      'subjectType: must be kebab-case such as expense-claim: lower-case letters and digits, words joined by -',
      'steps.1.mode.count: a quorum of 3 needs at least 3 approvers; this step names 2',
      'steps.2.onTimeout.to: escalate needs at least one approver',
      'steps.3.remindEvery: must be shorter than dueIn, or no reminder is ever sent before the deadline',
      'steps.1.name: step name "check" is already used by step 0',
    ]);
  });

  it('reports repeated step names once the steps themselves are valid', () => {
    expect(issues({ ...valid, steps: [step({ name: 'Check' }), step({ name: ' check ' })] })).toEqual(['steps.1.name: step name "check" is already used by step 0']);
  });

  it('refuses unknown approver kinds, repeated approvers, no steps, bad conditions and unknown keys', () => {
    expect(issues({ ...valid, steps: [] })).toEqual(['steps: a policy needs at least one step']);
    expect(issues({ ...valid, steps: [{ ...step(), approvers: [{ kind: 'boss' }] }] })).toEqual([
      'steps.0.approvers.0.kind: an approver needs "kind", one of user, role, submitterManager, departmentManager, recordOwner',
    ]);
    expect(issues({ ...valid, steps: [step({ approvers: [{ kind: 'submitterManager' }, { kind: 'submitterManager' }] })] })).toEqual([
      "steps.0.approvers.1: lists the submitter's manager again (already at 0)",
    ]);
    expect(issues({ ...valid, steps: [{ ...step(), condition: { field: 'amount.amountMinor', op: 'gte' } }] })).toEqual([
      'steps.0.condition.value: "gte" needs a number or an ISO date such as 2026-01-31 or date-time such as 2026-01-31T09:00:00Z',
    ]);
    expect(issues({ ...valid, steps: [{ ...step(), mode: { kind: 'quorum', count: 0 } }] })).toEqual(['steps.0.mode.count: must be a whole number of at least 1']);
    expect(issues({ ...valid, owner: 'x' })).toHaveLength(1);
    expect(issues({ ...valid, steps: [{ ...step(), onTimeout: { action: 'reject' } }] })[0]).toMatch(/^steps\.0\.onTimeout\.reason: /);
  });

  it('subjects and stored versions', () => {
    expect(ApprovalSubjectSchema.safeParse(promotion(100)).success).toBe(true);
    expect(ApprovalSubjectSchema.safeParse({ type: 'promotion', id: 'p', fields: {} }).success).toBe(true);
    expect(ApprovalSubjectSchema.safeParse({ type: 'promotion', id: 'p' }).success).toBe(false);
    const stored = { policyId: 'promotion-approval', version: 1, createdAt: '2026-03-01T10:00:00Z', createdBy: 'u-ops', document: PROMOTION_APPROVAL };
    expect(StoredPolicyVersionSchema.safeParse(stored).success).toBe(true);
    const mismatched = StoredPolicyVersionSchema.safeParse({ ...stored, policyId: 'other', version: 0 });
    expect(mismatched.success ? [] : mismatched.error.issues.map((i) => i.path.join('.'))).toEqual(['version', 'document.id']);
    const renamed = StoredPolicyVersionSchema.safeParse({ ...stored, policyId: 'other' });
    expect(renamed.success ? [] : renamed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['document.id: must equal policyId (other)']);
  });
});

describe('who a task may be reassigned to', () => {
  const ctx = (submitter = SALES_NORTH) => ({ subject: promotion(30_000), submitter, now: WEDNESDAY, directory: directoryOf() });
  const areaManager = parsePolicy(PROMOTION_APPROVAL).steps[0]!;

  it("someone the step's rules or its escalation would ask", () => {
    expect(reassignmentRefusal('u-sales-director', areaManager, ctx())).toBeUndefined();
    expect(reassignmentRefusal('u-admin', areaManager, ctx())).toBeUndefined();
    // a named user's colleague with the same role stands in for them
    expect(reassignmentRefusal('u-finance-director', step({ approvers: [{ kind: 'user', userId: 'u-finance' }] }), ctx())).toBeUndefined();
  });

  it('nobody else, and never the requester, the submitter or an inactive user', () => {
    expect(reassignmentRefusal('u-marketing', areaManager, ctx())).toMatch(/not someone step "Area manager" asks/);
    expect(reassignmentRefusal('u-sales', areaManager, ctx({ userId: 'u-ops', departmentId: 'd-ops' }))).toMatch(/record owner/);
    expect(reassignmentRefusal('u-ops', areaManager, ctx({ userId: 'u-ops', departmentId: 'd-ops' }))).toMatch(/submitter/);
    expect(reassignmentRefusal('u-sales-director', areaManager, { ...ctx(), directory: directoryOf({ 'u-sales-director': { status: 'inactive' } }) })).toMatch(/no active user/);
  });
});
