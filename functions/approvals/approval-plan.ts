import type { Role } from '../../schemas/common';
import type { ApprovalMode, ApprovalPolicy, ApprovalStep, ApprovalSubject, ApproverSpec, TimeoutAction } from '../../schemas/approvals/policy';
import { describeApprover } from '../../schemas/approvals/policy';
import type { BusinessCalendar, BusinessDuration } from '../../schemas/calendar';
import type { ConditionExplanation } from '../rules/conditions';
import { explainCondition } from '../rules/conditions';
import { addBusinessDuration, zonedTimeToInstant } from '../rules/business-time';
import { managersUp } from '../rules/department-tree';
import { parseIsoInstant } from '../../schemas/conditions';

/*
 * The dry-run of an approval policy: "which steps and approvers would this request get?". Pure (no
 * AWS, no clock: `now` is an argument); the runtime uses the same resolution when a step starts, and
 * the policy editor shows the answer before a version is activated.
 *
 * Rules
 * - Applies: the subject's type equals the policy's subjectType and the entry condition (if any)
 *   holds for subject.fields. The steps are planned either way (an editor wants to see them), but a
 *   caller must not start an approval whose plan has applies = false.
 * - Steps: a step applies when it has no condition or its condition holds for subject.fields;
 *   `reasons` says why in words (explainCondition). A skipped step has no approvers.
 * - Approvers, in spec order, each user once (the first spec that names them gives `via`):
 *     user               the named user                                          via 'user'
 *     role               directory.usersWithRole(role[, requester's department]) via 'role' (ordered by id)
 *     submitterManager   the manager of the requester's department; if that department has no manager
 *                        or the requester or submitter manages it, the parent department's manager,
 *                        and so on up (cycle-safe)                               via 'manager'
 *   The requester is the record's owner when the request names one the directory knows (someone may
 *   submit on the owner's behalf, and the approval follows the owner's tree), else the submitter.
 *     departmentManager  the named department's manager (no walking up)         via 'department-manager'
 *     recordOwner        subject.ownerId                                         via 'owner'
 * - Availability: unknown and inactive users are left out (`excluded`, with the reason).
 * - Segregation of duties (enforced on the server, so here too): the submitter never approves, and the
 *   record's owner never approves through a role, a manager rule, a named user or delegation; they
 *   are left out with reason 'submitter' / 'record owner'. This is checked for the approver and again
 *   for a delegate. The one exception is an explicit `recordOwner` spec: the issue lists "the record's
 *   owner" as an approver kind, which would be meaningless if the owner were always removed, so the
 *   policy author's explicit choice ("the account's owner must agree to a credit-limit change that
 *   finance requests") wins over the owner rule, but never over the submitter rule.
 * - Delegation: an approver whose awayUntil is later than `now` hands new tasks to their delegateId
 *   (via 'delegate', delegatedFrom = the approver). A delegate who is also away passes it on, at most
 *   MAX_DELEGATION_HOPS hops, never round a cycle. When no delegate can take it (none named, unknown,
 *   inactive, the submitter or owner, a cycle, a chain too long) the task stays with the away approver
 *   and `problems` says so: a task nobody can see is worse than a late one. An approver whose delegate
 *   is already an approver of the step is merged into them ('already an approver').
 *   awayUntil is an ISO date-time, or a date YYYY-MM-DD meaning "back at the start of that day" in
 *   the user's time zone.
 * - Deadlines: each approver's task is due `dueIn` after `now` on the policy's calendar in THAT
 *   approver's time zone (the delegate's, when delegated), so dueAt is per approver; remindAt is the
 *   first reminder (now + remindEvery) when it falls before dueAt. For steps after the first, `now`
 *   stands for the moment the step starts: the dry-run shows each step's deadlines as if it started now.
 * - Problems (in words) are what would make a step stall or misbehave: no approver (left), a quorum
 *   larger than the approvers, an away approver without a usable delegate, an unresolvable
 *   manager/department/owner, and with options.distinctDeciders a step whose needed deciders may all
 *   have decided in an earlier step. A plan with any problem should not be activated as is.
 * - The escalation targets of onTimeout escalate are resolved the same way (without deadlines).
 */

// ---------------------------------------------------------------------------------------------------
// The directory the planner reads people and departments from

export interface DirectoryUser {
  id: string;
  roles: readonly Role[];
  departmentId: string;
  timeZone: string;
  status: 'active' | 'inactive';
  /** Away until then: an ISO date-time, or a date YYYY-MM-DD (back at the start of that local day). */
  awayUntil?: string;
  /** Who takes new tasks while this user is away. */
  delegateId?: string;
}

export interface DirectoryDepartment {
  id: string;
  parentId?: string;
  managerUserId?: string;
}

/**
 * Synchronous on purpose: the planner is pure; the runtime loads what it needs first (the users and
 * departments of a tenant are a small set) and hands in a snapshot.
 */
export interface ApprovalDirectory {
  getUser(id: string): DirectoryUser | undefined;
  /** Users holding the role; with departmentId, only those whose departmentId is exactly that one. */
  usersWithRole(role: Role, departmentId?: string): readonly DirectoryUser[];
  getDepartment(id: string): DirectoryDepartment | undefined;
}

// ---------------------------------------------------------------------------------------------------
// The answer

export type ApproverRoute = 'user' | 'role' | 'manager' | 'department-manager' | 'owner' | 'delegate';

export interface ResolvedApprover {
  userId: string;
  via: ApproverRoute;
  /** The away approver this delegate stands in for (the first one, if delegation passed on). */
  delegatedFrom?: string;
  /** The zone the task's deadline and reminders are computed in: the approver's (the delegate's). */
  timeZone: string;
}

export interface PlannedApprover extends ResolvedApprover {
  /** When this approver's task is due, if the step starts at `now`. */
  dueAt: string;
  /** The first reminder, if remindEvery is set and it falls before dueAt. */
  remindAt?: string;
}

export type ExclusionReason = 'submitter' | 'record owner' | 'inactive' | 'unknown user' | 'already an approver';

export interface ExcludedApprover {
  userId: string;
  reason: ExclusionReason;
  /** More words when the reason alone is not enough ("delegate of u-north-manager"). */
  detail?: string;
}

export interface ResolvedApprovers<A extends ResolvedApprover = ResolvedApprover> {
  approvers: A[];
  excluded: ExcludedApprover[];
  problems: string[];
}

export interface StepPlan extends ResolvedApprovers<PlannedApprover> {
  index: number;
  name: string;
  applies: boolean;
  /** Why the step applies or not; "no condition: always applies" when it has none. */
  reasons: string[];
  mode: ApprovalMode;
  onTimeout: TimeoutAction;
  /** Who an `escalate` timeout would go to, resolved the same way (no deadlines). */
  escalation?: ResolvedApprovers;
}

export interface ApprovalPlan {
  policyId: string;
  applies: boolean;
  entryExplanation: ConditionExplanation;
  steps: StepPlan[];
  /** Problems of the plan as a whole (e.g. no step applies). Each step has its own too. */
  problems: string[];
  /** True when the plan applies and neither it nor any step has a problem. */
  ready: boolean;
}

export interface PlanApprovalInput {
  /** A parsed policy (ApprovalPolicySchema's output: calendar and options present). */
  policy: ApprovalPolicy;
  subject: ApprovalSubject;
  submitter: { userId: string; departmentId: string };
  now: Date;
  directory: ApprovalDirectory;
}

export const MAX_DELEGATION_HOPS = 3;

// ---------------------------------------------------------------------------------------------------
// Resolution

export interface ResolutionContext {
  subject: ApprovalSubject;
  submitter: { userId: string; departmentId: string };
  now: Date;
  directory: ApprovalDirectory;
}

interface Candidate {
  userId: string;
  via: Exclude<ApproverRoute, 'delegate'>;
}

/** Whose place in the organisation the request follows: the record's owner when it names one the directory knows, else the submitter. */
export const requesterOf = (ctx: ResolutionContext): { userId: string; departmentId: string } => {
  const owner = ctx.subject.ownerId === undefined ? undefined : ctx.directory.getUser(ctx.subject.ownerId);
  return owner ? { userId: owner.id, departmentId: owner.departmentId } : ctx.submitter;
};

/** The managers of a department and up, nearest first, past the requester, the submitter and manager-less departments. */
const managersUpFrom = (from: string, ctx: ResolutionContext): { managers: string[]; problem?: string } => {
  const { managers, unknownDepartment, loopsAt } = managersUp(from, (id) => ctx.directory.getDepartment(id), new Set([requesterOf(ctx).userId, ctx.submitter.userId]));
  if (unknownDepartment !== undefined) return { managers, problem: `department ${unknownDepartment} is unknown, so the requester's manager cannot be found` };
  if (loopsAt !== undefined) return { managers, problem: `the department tree above ${from} loops at ${loopsAt}` };
  return managers.length ? { managers } : { managers, problem: `no department from ${from} up to the top has a manager other than the requester or submitter` };
};

const candidatesFor = (spec: ApproverSpec, ctx: ResolutionContext): { candidates: Candidate[]; problems: string[] } => {
  const { directory, subject } = ctx;
  switch (spec.kind) {
    case 'user':
      return { candidates: [{ userId: spec.userId, via: 'user' }], problems: [] };
    case 'role': {
      const departmentId = spec.withinSubmitterDepartment ? requesterOf(ctx).departmentId : undefined;
      const users = [...directory.usersWithRole(spec.role, departmentId)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const problems = users.length === 0 ? [`nobody has the role ${spec.role}${departmentId ? ` in department ${departmentId}` : ''}`] : [];
      return { candidates: users.map((user) => ({ userId: user.id, via: 'role' })), problems };
    }
    case 'submitterManager': {
      const { managers: [manager], problem } = managersUpFrom(requesterOf(ctx).departmentId, ctx);
      return manager === undefined ? { candidates: [], problems: [problem!] } : { candidates: [{ userId: manager, via: 'manager' }], problems: [] };
    }
    case 'departmentManager': {
      const department = directory.getDepartment(spec.departmentId);
      if (!department) return { candidates: [], problems: [`department ${spec.departmentId} is unknown`] };
      if (department.managerUserId === undefined) return { candidates: [], problems: [`department ${spec.departmentId} has no manager`] };
      return { candidates: [{ userId: department.managerUserId, via: 'department-manager' }], problems: [] };
    }
    case 'recordOwner':
      return subject.ownerId === undefined
        ? { candidates: [], problems: ["the request names no record owner, so the record's owner cannot approve"] }
        : { candidates: [{ userId: subject.ownerId, via: 'owner' }], problems: [] };
  }
};

/** The instant a user is back, or undefined when awayUntil is absent or unreadable. */
const backAt = (user: DirectoryUser): number | undefined => {
  if (user.awayUntil === undefined) return undefined;
  const parsed = parseIsoInstant(user.awayUntil);
  if (!parsed) return undefined;
  if (!parsed.dateOnly) return parsed.epochMs;
  const [year, month, day] = user.awayUntil.split('-').map(Number) as [number, number, number];
  try {
    return zonedTimeToInstant({ year, month, day }, user.timeZone).getTime();
  } catch {
    return parsed.epochMs; // an unknown zone: midnight UTC
  }
};

const isAway = (user: DirectoryUser, now: Date): boolean => {
  const back = backAt(user);
  return back !== undefined && back > now.getTime();
};

/** Segregation of duties; an explicit recordOwner spec (via 'owner') is the one route by which the owner may approve. */
const segregationReason = (userId: string, ctx: ResolutionContext, via?: ApproverRoute): ExclusionReason | undefined =>
  userId === ctx.submitter.userId ? 'submitter' : userId === ctx.subject.ownerId && via !== 'owner' ? 'record owner' : undefined;

type CandidateOutcome = { approver: ResolvedApprover; excluded: ExcludedApprover[]; problems: string[] } | { excluded: ExcludedApprover[]; problems: string[] };

/** Availability, segregation of duties and delegation for one candidate. */
const resolveCandidate = (candidate: Candidate, ctx: ResolutionContext): CandidateOutcome => {
  const { directory, now } = ctx;
  const user = directory.getUser(candidate.userId);
  if (!user) return { excluded: [{ userId: candidate.userId, reason: 'unknown user' }], problems: [] };
  const separated = segregationReason(user.id, ctx, candidate.via);
  if (separated) return { excluded: [{ userId: user.id, reason: separated }], problems: [] };
  if (user.status !== 'active') return { excluded: [{ userId: user.id, reason: 'inactive' }], problems: [] };

  const stays = (problem: string, excluded: ExcludedApprover[] = []): CandidateOutcome => ({
    approver: { userId: user.id, via: candidate.via, timeZone: user.timeZone },
    excluded,
    problems: [`${user.id} is away until ${user.awayUntil} and ${problem}, so the task stays with them`],
  });
  if (!isAway(user, now)) return { approver: { userId: user.id, via: candidate.via, timeZone: user.timeZone }, excluded: [], problems: [] };

  const visited = new Set([user.id]);
  let current = user;
  for (let hop = 1; hop <= MAX_DELEGATION_HOPS; hop++) {
    const whose = current === user ? 'names' : `their delegate ${current.id} is away too and names`;
    if (current.delegateId === undefined) return stays(`${whose} no delegate`);
    if (visited.has(current.delegateId)) return stays(`delegation goes round in a circle back to ${current.delegateId}`);
    const delegate = directory.getUser(current.delegateId);
    if (!delegate) return stays(`${whose} an unknown delegate ${current.delegateId}`);
    if (delegate.status !== 'active') return stays(`${whose} an inactive delegate ${delegate.id}`);
    const separatedDelegate = segregationReason(delegate.id, ctx);
    if (separatedDelegate) {
      return stays(`the delegate ${delegate.id} is the ${separatedDelegate} and may not decide`, [
        { userId: delegate.id, reason: separatedDelegate, detail: `delegate of ${user.id}` },
      ]);
    }
    if (!isAway(delegate, now)) {
      return { approver: { userId: delegate.id, via: 'delegate', delegatedFrom: user.id, timeZone: delegate.timeZone }, excluded: [], problems: [] };
    }
    visited.add(delegate.id);
    current = delegate;
  }
  return stays(`the delegation chain is longer than ${MAX_DELEGATION_HOPS}`);
};

/** Whether `user` fits one approver rule, as someone to hand a task of it to (see reassignmentRefusal). */
const fitsRule = (user: DirectoryUser, spec: ApproverSpec, ctx: ResolutionContext): boolean => {
  switch (spec.kind) {
    case 'user': {
      // a named user's stand-in: the user, or someone of their department sharing one of their roles
      const named = ctx.directory.getUser(spec.userId);
      return user.id === spec.userId || (named !== undefined && named.departmentId === user.departmentId && named.roles.some((role) => user.roles.includes(role)));
    }
    case 'role':
      return user.roles.includes(spec.role) && (!spec.withinSubmitterDepartment || user.departmentId === requesterOf(ctx).departmentId);
    case 'submitterManager':
      return managersUpFrom(requesterOf(ctx).departmentId, ctx).managers.includes(user.id);
    case 'departmentManager':
      return managersUpFrom(spec.departmentId, ctx).managers.includes(user.id);
    case 'recordOwner':
      return false;
  }
};

/**
 * Why a task of `step` may not be handed to `userId` (undefined when it may): they must be active, not
 * the submitter nor the record's owner, and fit one of the step's approver rules or its escalation's: a
 * named user or a colleague of theirs with the same role, anyone with the rule's role, a manager on the
 * requester's tree (the one the rule found, or one above), the named department's manager or one above.
 */
export const reassignmentRefusal = (userId: string, step: ApprovalStep, ctx: ResolutionContext): string | undefined => {
  const user = ctx.directory.getUser(userId);
  if (!user || user.status !== 'active') return `names no active user (${userId})`;
  const separated = segregationReason(userId, ctx);
  if (separated) return `is the request's ${separated}, who may not approve it`;
  const rules = [...step.approvers, ...(step.onTimeout.action === 'escalate' ? step.onTimeout.to : [])];
  if (rules.some((spec) => fitsRule(user, spec, ctx))) return undefined;
  return `${userId} is not someone step "${step.name}" asks (${rules.map(describeApprover).join('; ')})`;
};

/** Who the specs resolve to, after availability, segregation of duties and delegation. */
export const resolveApprovers = (specs: readonly ApproverSpec[], ctx: ResolutionContext): ResolvedApprovers => {
  const approvers: ResolvedApprover[] = [];
  const excluded: ExcludedApprover[] = [];
  const problems: string[] = [];
  const considered = new Set<string>();
  for (const spec of specs) {
    const found = candidatesFor(spec, ctx);
    problems.push(...found.problems);
    for (const candidate of found.candidates) {
      // the first spec that names a user wins, except that an explicit recordOwner spec overrides an
      // earlier spec's 'record owner' exclusion, so the answer does not depend on the specs' order
      const ownerExclusion = excluded.findIndex((entry) => entry.userId === candidate.userId && entry.reason === 'record owner' && entry.detail === undefined);
      if (considered.has(candidate.userId) && !(candidate.via === 'owner' && ownerExclusion >= 0)) continue;
      if (considered.has(candidate.userId)) excluded.splice(ownerExclusion, 1);
      considered.add(candidate.userId);
      const outcome = resolveCandidate(candidate, ctx);
      excluded.push(...outcome.excluded);
      problems.push(...outcome.problems);
      if (!('approver' in outcome)) continue;
      const { approver } = outcome;
      if (approvers.some((other) => other.userId === approver.userId)) {
        const detail =
          approver.userId === candidate.userId ? 'already an approver of this step as a delegate' : `their delegate ${approver.userId} is already an approver of this step`;
        excluded.push({ userId: candidate.userId, reason: 'already an approver', detail });
        continue;
      }
      approvers.push(approver);
    }
  }
  return { approvers, excluded, problems };
};

// ---------------------------------------------------------------------------------------------------
// Planning

const deciderCount = (mode: ApprovalMode, approvers: number): number => (mode.kind === 'any' ? 1 : mode.kind === 'all' ? approvers : mode.count);

const countProblems = (mode: ApprovalMode, resolved: ResolvedApprovers, specs: readonly ApproverSpec[]): string[] => {
  const count = resolved.approvers.length;
  if (count === 0) {
    const segregated = resolved.excluded.filter((entry) => entry.reason === 'submitter' || entry.reason === 'record owner');
    if (segregated.length > 0) {
      return [`no approver left after segregation of duties (${segregated.map((entry) => `${entry.userId}: ${entry.reason}`).join(', ')})`];
    }
    return [`no approver found for ${specs.map(describeApprover).join(', ')}`];
  }
  if (mode.kind === 'quorum' && mode.count > count) return [`quorum ${mode.count} but only ${count} approver${count === 1 ? '' : 's'}`];
  return [];
};

const deadlines = (
  now: Date,
  dueIn: BusinessDuration,
  remindEvery: BusinessDuration | undefined,
  calendar: BusinessCalendar,
  approver: ResolvedApprover,
): { dueAt: string; remindAt?: string } | { problem: string } => {
  try {
    const due = addBusinessDuration(now, dueIn, calendar, approver.timeZone);
    const remind = remindEvery ? addBusinessDuration(now, remindEvery, calendar, approver.timeZone) : undefined;
    return remind && remind < due ? { dueAt: due.toISOString(), remindAt: remind.toISOString() } : { dueAt: due.toISOString() };
  } catch (error) {
    return { problem: `no deadline for ${approver.userId}: ${error instanceof Error ? error.message : String(error)}` };
  }
};

const explainEntry = (policy: ApprovalPolicy, subject: ApprovalSubject): ConditionExplanation => {
  if (subject.type !== policy.subjectType) {
    return { result: false, reasons: [`the request's type is "${subject.type}"; this policy is for "${policy.subjectType}"`] };
  }
  if (!policy.entryCondition) return { result: true, reasons: [`the request's type is "${subject.type}" and the policy has no entry condition`] };
  return explainCondition(policy.entryCondition, subject.fields);
};

const explainStep = (step: ApprovalStep, subject: ApprovalSubject): ConditionExplanation =>
  step.condition ? explainCondition(step.condition, subject.fields) : { result: true, reasons: ['no condition: always applies'] };

/** Deciders in earlier applying steps that, with distinctDeciders, could leave this step short. */
const distinctDecidersProblem = (step: StepPlan, earlier: readonly StepPlan[]): string | undefined => {
  const earlierSteps = new Map<string, string>();
  for (const plan of earlier) for (const approver of plan.approvers) if (!earlierSteps.has(approver.userId)) earlierSteps.set(approver.userId, plan.name);
  const overlap = step.approvers.filter((approver) => earlierSteps.has(approver.userId));
  if (overlap.length === 0) return undefined;
  const fresh = step.approvers.length - overlap.length;
  const needed = deciderCount(step.mode, step.approvers.length);
  if (fresh >= needed) return undefined;
  const who = overlap.map((approver) => `${approver.userId} also approves "${earlierSteps.get(approver.userId)}"`).join(', ');
  return `with distinct deciders, ${fresh} of this step's approvers certainly did not decide in an earlier step but it needs ${needed} (${who})`;
};

/** The dry-run answer for a request under a policy; see the header for the rules. */
export const planApproval = (input: PlanApprovalInput): ApprovalPlan => {
  const { policy, subject, now } = input;
  const ctx: ResolutionContext = { subject, submitter: input.submitter, now, directory: input.directory };
  const entryExplanation = explainEntry(policy, subject);

  const steps: StepPlan[] = [];
  policy.steps.forEach((step, index) => {
    const explanation = explainStep(step, subject);
    const base = { index, name: step.name, applies: explanation.result, reasons: explanation.reasons, mode: step.mode, onTimeout: step.onTimeout };
    if (!explanation.result) {
      steps.push({ ...base, approvers: [], excluded: [], problems: [] });
      return;
    }
    const resolved = resolveApprovers(step.approvers, ctx);
    const problems = [...resolved.problems, ...countProblems(step.mode, resolved, step.approvers)];
    const approvers: PlannedApprover[] = [];
    for (const approver of resolved.approvers) {
      const due = deadlines(now, step.dueIn, step.remindEvery, policy.calendar, approver);
      if ('problem' in due) problems.push(due.problem);
      else approvers.push({ ...approver, ...due });
    }
    const escalation = step.onTimeout.action === 'escalate' ? resolveApprovers(step.onTimeout.to, ctx) : undefined;
    if (escalation) {
      problems.push(...escalation.problems.map((problem) => `on timeout: ${problem}`));
      if (escalation.approvers.length === 0) problems.push('the escalation on timeout has nobody to go to');
    }
    const plan: StepPlan = { ...base, approvers, excluded: resolved.excluded, problems, ...(escalation ? { escalation } : {}) };
    if (policy.options.distinctDeciders) {
      const problem = distinctDecidersProblem(plan, steps.filter((earlier) => earlier.applies));
      if (problem) plan.problems.push(problem);
    }
    steps.push(plan);
  });

  const problems: string[] = [];
  if (!steps.some((step) => step.applies)) problems.push('no step applies, so the request would be approved without anyone deciding');
  const applies = entryExplanation.result;
  const ready = applies && problems.length === 0 && steps.every((step) => step.problems.length === 0);
  return { policyId: policy.id, applies, entryExplanation, steps, problems, ready };
};
