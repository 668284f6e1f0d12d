import { randomUUID } from 'node:crypto';
import { TicketClosed, TicketCreated, TicketFirstResponded, TicketReopened, type TicketOpened } from '../../schemas/events';
import { recordKey, uniqueValueKey } from '../../schemas/keys';
import { Accounts, Contacts, Users } from '../../schemas/records';
import { referencesIn } from '../../schemas/references';
import {
  TicketActionBodySchema, TicketActionPathSchema, Tickets, UNFINISHED_TICKET_STATUSES, type SlaTarget, type TicketAction, type TicketRecord, type TicketStatus,
} from '../../schemas/tickets/records';
import type * as z from '../../schemas/zod';
import { assertCan } from '../platform/access';
import { conflict, invalidField } from '../platform/errors';
import { eventToAnnounce, waitToWake } from '../platform/outbox';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import { wakeWaitOn } from '../platform/step-functions';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { parseInput } from '../platform/validation';
import { countedTime, isPaused, targetDueAt } from '../rules/sla-clock';
import { slaOf, withDueTimes } from './ticket-sla';
import { intakePolicy, readItem, readSlaPolicy, readTicket, ticketChange, ticketCreate, ticketView, timelineEntry } from './ticket-store';
import { surveyMailWrite } from './ticket-survey';

/*
 * What happens to a ticket: it is opened (the call centre's Ticket.Opened, POST /tickets, the console),
 * worked (respond, wait on the customer, the customer replied, assign), resolved and closed, and reopened
 * within its policy's window. Every change is one transaction at the version read: the ticket, what it
 * puts on the account's timeline, what it announces (the outbox) and the wake of its SLA workflow.
 */

const TYPE = Tickets.type;
const DAY_MS = 86_400_000;
type Item = Record<string, unknown>;

export async function getTicket(principal: Principal, id: string) {
  const { ticket } = await readTicket(id);
  assertCan(principal, 'read', TYPE, ticket, id);
  return ticket;
}

async function readAccount(accountId: string): Promise<Item> {
  const account = await readItem(recordKey(Accounts.type, accountId));
  if (!account || account.deletedAt) throw invalidField('body.accountId', `names no account you may read (${accountId})`);
  return account;
}

const startDetail = (ticket: TicketRecord, at: string) => ({
  ticketId: ticket.id, cycle: ticket.cycle, accountId: ticket.accountId, teamId: ticket.departmentId, assigneeId: ticket.ownerId,
  priority: ticket.priority, category: ticket.category, at,
});

/** The writes that open a ticket: the ticket, its timeline entry, Ticket.Created (which starts its SLA). */
function openingWrites(ticket: TicketRecord, account: Item, now: string): GuardedWrite[] {
  return [
    ticketCreate(ticket),
    timelineEntry(ticket, account, 'opened', now, ticket.description),
    eventToAnnounce(`ticket-created#${ticket.id}`, TicketCreated, startDetail(ticket, now), now),
  ];
}

/** Who a new ticket goes to when nobody is named: an agent of the team opening it takes it; otherwise the team's manager triages it. */
async function defaultAssignee(principal: Principal | undefined, teamId: string): Promise<string> {
  if (principal && principal.departmentId === teamId) return principal.userId;
  const team = await readItem(recordKey('DEPARTMENT', teamId));
  if (typeof team?.managerUserId === 'string') return team.managerUserId;
  throw invalidField('body.ownerId', `is required: team ${teamId} has no manager to take new tickets`);
}

function newTicket(fields: Omit<TicketRecord, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'status' | 'cycle' | 'milestones' | 'notes' | 'sla' | 'clock'>,
  sla: TicketRecord['sla'], id: string, now: string, notes: TicketRecord['notes'] = []): TicketRecord {
  return withDueTimes({
    ...fields, id, version: 1, createdAt: now, updatedAt: now, status: 'open', cycle: 1, milestones: [], notes,
    ...(sla ? { sla, clock: { startedAt: now, pauses: [] } } : {}),
  } as TicketRecord);
}

/** POST /tickets: the team is the one named, else the caller's (an agent's), else the intake team; it needs an SLA policy. */
export async function createTicket(principal: Principal, body: unknown, now: string) {
  const input = parseInput(Tickets.create, body, 'body');
  const callerTeam = (await readSlaPolicy(principal.departmentId)) ? principal.departmentId : undefined;
  // the schema checked them as ids; defineRecord's inferred type does not carry the ownership fields' types
  const named = { departmentId: input.departmentId as string | undefined, ownerId: input.ownerId as string | undefined };
  const teamId = named.departmentId ?? callerTeam ?? (await intakePolicy())?.teamId;
  if (!teamId) throw invalidField('body.departmentId', 'is required: no team has an SLA policy that takes new tickets');
  const policy = await readSlaPolicy(teamId);
  if (!policy) throw invalidField('body.departmentId', `names a team without an SLA policy (${teamId}); ops set one with PUT /tickets/sla-policies/${teamId}`);
  const draft = { ...input, departmentId: teamId, ownerId: named.ownerId ?? await defaultAssignee(principal, teamId) };
  const refs = referencesIn(Tickets.record, draft);
  await assertReadableReferences(principal, refs);
  await assertAssigneeInTeam(draft.ownerId, teamId, 'body.ownerId');
  const account = await readAccount(input.accountId);
  const ticket = newTicket(draft, slaOf(policy, input.priority, input.category), randomUUID(), now);
  assertCan(principal, 'write', TYPE, ticket);
  await writeAllOrNothing([...openingWrites(ticket, account, now), ...referenceGuards(refs)]);
  return ticket;
}

/**
 * The call centre's Ticket.Opened: a ticket of the intake team, named after the call centre's id, so a
 * redelivery finds it there and changes nothing. An account code nobody has fails (the rule's retries,
 * then its dead-letter queue): a ticket needs its customer.
 */
export async function openTicketFromCallCentre(detail: z.output<typeof TicketOpened.detail>, now: string): Promise<{ ticketId: string; created: boolean }> {
  const id = `cc-${detail.ticketId}`;
  if (await readItem(recordKey(TYPE, id))) return { ticketId: id, created: false };
  const policy = await intakePolicy();
  if (!policy) throw new Error(`Ticket.Opened ${detail.ticketId}: no team's SLA policy takes new tickets (intake)`);
  if (!detail.accountCode) throw new Error(`Ticket.Opened ${detail.ticketId} names no account (accountCode)`);
  const hold = await readItem(uniqueValueKey(Accounts.type, 'code', detail.accountCode));
  const accountId = typeof hold?.owner === 'string' ? hold.owner.slice(`${Accounts.type}#`.length) : undefined;
  if (!accountId) throw new Error(`Ticket.Opened ${detail.ticketId}: no account has the code ${detail.accountCode}`);
  const account = await readAccount(accountId);
  const category = detail.category ?? 'other';
  const ticket = newTicket({
    accountId, subject: detail.subject, category, priority: detail.priority, externalId: detail.ticketId,
    ...(detail.description ? { description: detail.description } : {}),
    ...(detail.contactEmail ? { contactEmail: detail.contactEmail } : {}),
    departmentId: policy.teamId, ownerId: await defaultAssignee(undefined, policy.teamId),
  }, slaOf(policy, detail.priority, category), id, now,
  [{ at: now, by: 'call-centre', kind: 'opened', text: `Opened by the call centre at ${detail.openedAt}; promised within ${detail.slaHours} hours` }]);
  try {
    await writeAllOrNothing(openingWrites(ticket, account, now));
  } catch (error) {
    if ((error as { kind?: string }).kind === 'conflict') return { ticketId: id, created: false };
    throw error;
  }
  return { ticketId: id, created: true };
}

async function assertAssigneeInTeam(userId: string, teamId: string, field: string) {
  const user = await readItem(recordKey(Users.type, userId));
  if (!user || user.deletedAt || user.departmentId !== teamId || user.status !== 'active') {
    throw invalidField(field, `names no active user of team ${teamId} (${userId})`);
  }
}

const FROM: Record<TicketAction, readonly TicketStatus[]> = {
  respond: UNFINISHED_TICKET_STATUSES,
  'wait-on-customer': ['open'],
  'customer-replied': ['waiting-on-customer'],
  resolve: UNFINISHED_TICKET_STATUSES,
  close: [...UNFINISHED_TICKET_STATUSES, 'resolved'],
  reopen: ['resolved', 'closed'],
  assign: UNFINISHED_TICKET_STATUSES,
};

const closePause = (clock: NonNullable<TicketRecord['clock']>, now: string) => ({
  ...clock, pauses: clock.pauses.map((p) => (p.to === undefined ? { ...p, to: now } : p)),
});

/** POST /tickets/{id}/{action}: an agent works the ticket (see TICKET_ACTIONS). */
export async function actOnTicket(principal: Principal, id: string, actionName: string, body: unknown, now: string) {
  const { action } = parseInput(TicketActionPathSchema, { action: actionName }, 'path');
  const input = parseInput(TicketActionBodySchema, body, 'body');
  const { ticket } = await readTicket(id);
  assertCan(principal, 'read', TYPE, ticket, id);
  assertCan(principal, 'write', TYPE, ticket, id);
  if (ticket.version !== input.version) throw conflict(`ticket ${id} was changed since version ${input.version}; read it again and reapply your change`);
  if (!FROM[action].includes(ticket.status)) throw conflict(`ticket ${id} is ${ticket.status}; ${action} needs it ${FROM[action].join(' or ')}`);
  const note = { at: now, by: principal.userId, kind: action, ...(input.text ? { text: input.text } : {}) };
  let next: TicketRecord = { ...ticket, version: ticket.version + 1, updatedAt: now, notes: [...ticket.notes, note] };
  const extra: GuardedWrite[] = [];
  let account: Item | undefined;
  const timeline = async (what: string, text?: string) => {
    account ??= await readAccount(ticket.accountId);
    extra.push(timelineEntry(next, account, what, now, text));
  };
  const firstResponse = () => {
    if (!next.firstRespondedAt) next = { ...next, firstRespondedAt: now };
  };
  switch (action) {
    case 'respond':
      if (!input.text) throw invalidField('body.text', 'is required: what was said to the customer');
      firstResponse();
      break;
    case 'wait-on-customer':
      next = { ...next, status: 'waiting-on-customer', ...(next.clock ? { clock: { ...next.clock, pauses: [...next.clock.pauses, { from: now }] } } : {}) };
      break;
    case 'customer-replied':
      next = { ...next, status: 'open', ...(next.clock ? { clock: closePause(next.clock, now) } : {}) };
      break;
    case 'resolve':
      firstResponse();
      next = { ...next, status: 'resolved', resolvedAt: now, ...(next.clock && isPaused(next.clock) ? { clock: closePause(next.clock, now) } : {}) };
      await timeline('resolved', input.text);
      break;
    case 'close': {
      if (next.status !== 'resolved') firstResponse();
      next = {
        ...next, status: 'closed', closedAt: now, resolvedAt: next.resolvedAt ?? now,
        ...(next.clock && isPaused(next.clock) ? { clock: closePause(next.clock, now) } : {}),
      };
      await timeline('closed', input.text);
      extra.push(eventToAnnounce(`ticket-closed#${id}#${ticket.cycle}`, TicketClosed, {
        ticketId: id, cycle: ticket.cycle, teamId: ticket.departmentId, accountId: ticket.accountId, priority: ticket.priority, category: ticket.category,
        assigneeId: ticket.ownerId, openedAt: openedAtOf(ticket), closedAt: now,
        firstRespondedAt: next.firstRespondedAt!, firstResponseWithinSla: metTarget(next, 'first-response', next.firstRespondedAt!),
        resolvedAt: next.resolvedAt!, resolutionWithinSla: metTarget(next, 'resolution', next.resolvedAt!),
        ...workingSeconds(next, 'resolutionWorkingSeconds', next.resolvedAt!),
      }, now));
      const survey = await surveyMailWrite(next, await surveyAddress(next), now);
      if (survey) extra.push(survey);
      break;
    }
    case 'reopen': {
      const policy = await readSlaPolicy(ticket.departmentId);
      const windowDays = policy?.reopenWithinDays ?? ticket.sla?.reopenWithinDays ?? 0;
      const finishedAt = ticket.closedAt ?? ticket.resolvedAt ?? ticket.updatedAt;
      if (Date.parse(now) > Date.parse(finishedAt) + windowDays * DAY_MS) {
        throw conflict(`ticket ${id} was finished on ${finishedAt}; it may be reopened within ${windowDays} days only (open a new ticket)`);
      }
      const { firstRespondedAt: _f, resolvedAt: _r, closedAt: _c, ...open } = next;
      next = {
        ...open, status: 'open', cycle: ticket.cycle + 1,
        ...(policy ? { sla: slaOf(policy, ticket.priority, ticket.category), clock: { startedAt: now, pauses: [] } } : {}),
      };
      await timeline('reopened', input.text);
      extra.push(eventToAnnounce(`ticket-reopened#${id}#${next.cycle}`, TicketReopened, startDetail(next, now), now));
      break;
    }
    case 'assign': {
      if (!input.assigneeId) throw invalidField('body.assigneeId', 'is required: the user who takes the ticket');
      await assertAssigneeInTeam(input.assigneeId, ticket.departmentId, 'body.assigneeId');
      next = { ...next, ownerId: input.assigneeId };
      break;
    }
  }
  if (!ticket.firstRespondedAt && next.firstRespondedAt) extra.push(firstResponseAnnouncement(next, next.firstRespondedAt, now));
  next = withDueTimes(next);
  await writeAllOrNothing([
    ticketChange(next, ticket.version, { signal: true }),
    // the SLA workflow reads the ticket again (a paused clock, a met target, a new assignee)
    waitToWake(`ticket-wake#${id}#${next.version}`, recordKey(TYPE, id), now),
    ...extra,
  ]);
  await wakeWaitOn(recordKey(TYPE, id)).catch(() => false);
  return next;
}

/** When the ticket's current cycle started: its SLA clock's start. */
const openedAtOf = (ticket: TicketRecord) => ticket.clock?.startedAt ?? ticket.createdAt;

/** The working time on the ticket's SLA clock from its start until `at`, in whole seconds, as `field`; nothing without SLA terms. */
function workingSeconds<F extends string>(ticket: TicketRecord, field: F, at: string): Partial<Record<F, number>> {
  if (!ticket.sla || !ticket.clock) return {};
  return { [field]: Math.round(countedTime(ticket.clock, ticket.sla, new Date(at)) / 1000) } as Partial<Record<F, number>>;
}

/** Ticket.FirstResponded of the ticket's cycle: once per cycle (the outbox item is named by it). */
function firstResponseAnnouncement(ticket: TicketRecord, respondedAt: string, now: string): GuardedWrite {
  return eventToAnnounce(`ticket-first-response#${ticket.id}#${ticket.cycle}`, TicketFirstResponded, {
    ticketId: ticket.id, cycle: ticket.cycle, teamId: ticket.departmentId, assigneeId: ticket.ownerId, priority: ticket.priority,
    openedAt: openedAtOf(ticket), respondedAt, withinSla: metTarget(ticket, 'first-response', respondedAt),
    ...workingSeconds(ticket, 'workingSeconds', respondedAt),
  }, now);
}

/** Whether a target was met: done by when the clock (its pauses counted out) made it due. */
function metTarget(ticket: TicketRecord, target: SlaTarget, doneAt: string): boolean {
  if (!ticket.sla || !ticket.clock) return true;
  const due = targetDueAt(ticket.clock, ticket.sla, target);
  return due === undefined || Date.parse(doneAt) <= due.getTime();
}

/** Where the survey goes: the ticket's contact's address, else the address the call centre gave. */
async function surveyAddress(ticket: TicketRecord): Promise<string | undefined> {
  if (ticket.contactId) {
    const contact = await readItem(recordKey(Contacts.type, ticket.contactId));
    if (typeof contact?.email === 'string' && !contact.deletedAt) return contact.email;
  }
  return ticket.contactEmail;
}

export { ticketView };
