import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TicketBreached } from '../../schemas/events';
import { recordKey } from '../../schemas/keys';
import { formatDateTime } from '../../schemas/format';
import {
  Tickets, UNFINISHED_TICKET_STATUSES, type SlaMilestone, type SlaPolicyRecord, type SlaTarget, type TicketPriority, type TicketRecord, type TicketSla,
} from '../../schemas/tickets/records';
import { conflict } from '../platform/errors';
import { serviceSender } from '../platform/mail';
import { consoleLink, renderMail } from '../platform/mail-content';
import { eventToAnnounce, mailToSend } from '../platform/outbox';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { managersUp } from '../rules/department-tree';
import { dueTimers, slaTimers, targetDueAt, type SlaTimer } from '../rules/sla-clock';
import { contactOf, departmentsUpFrom, readTicket, ticketChange } from './ticket-store';

/*
 * The SLA engine of a ticket: what the ticket-sla workflow's steps do (workflows/ticket-sla.ts).
 *
 *   begin    claims the ticket's cycle for this execution (a redelivered Ticket.Created or Reopened
 *            finds it claimed and ends), then advances;
 *   advance  the reconcile step: the reminders, breaches and escalations that are due now and not done
 *            yet are recorded on the ticket, mailed and announced (Ticket.Breached) in one transaction,
 *            and the wait until the next timer is returned; a finished ticket, or one of a later cycle,
 *            ends the run;
 *   await    stores the wait's task token on the ticket, where an agent's action wakes it; a wait that
 *            is stale (an action came in since advance read the ticket) ends at once.
 */

const TYPE = Tickets.type;
/** The longest a wait runs without a timer (the clock is stopped): it reads the ticket again then. */
export const IDLE_WAIT_SECONDS = 24 * 3600;
/** A wait that starts longer than this after advance counted its timer ends at once (its timer would fire late). */
export const WAIT_DRIFT_LIMIT_MS = 5_000;

/** The targets of a ticket's priority and category under its team's policy, pinned for the ticket's cycle. */
export function slaOf(policy: SlaPolicyRecord, priority: TicketPriority, category: string): TicketSla {
  const targets = policy.targets.find((t) => t.priority === priority && t.category === category)
    ?? policy.targets.find((t) => t.priority === priority && t.category === undefined);
  if (!targets) throw new Error(`SLA policy of team ${policy.teamId} has no targets for priority ${priority}`);
  return {
    teamId: policy.teamId, policyVersion: policy.version, timeZone: policy.timeZone, calendar: policy.calendar,
    firstResponseMinutes: targets.firstResponseMinutes, resolutionMinutes: targets.resolutionMinutes,
    remindBeforeMinutes: policy.remindBeforeMinutes, escalateEveryMinutes: policy.escalateEveryMinutes, reopenWithinDays: policy.reopenWithinDays,
  };
}

/** The targets still running: first response until answered, resolution until resolved; none once finished. */
export function runningTargets(ticket: TicketRecord): SlaTarget[] {
  if (!UNFINISHED_TICKET_STATUSES.includes(ticket.status)) return [];
  return [...(ticket.firstRespondedAt ? [] : ['first-response' as const]), ...(ticket.resolvedAt ? [] : ['resolution' as const])];
}

/** The ticket with its due times as its clock now says (none while the clock is stopped or the target is met). */
export function withDueTimes(ticket: TicketRecord): TicketRecord {
  const { firstResponseDueAt: _f, resolutionDueAt: _r, dueAt: _d, ...rest } = ticket;
  if (!ticket.sla || !ticket.clock) return rest;
  const running = runningTargets(ticket);
  const due = (target: SlaTarget) => (running.includes(target) ? targetDueAt(ticket.clock!, ticket.sla!, target)?.toISOString() : undefined);
  const firstResponseDueAt = due('first-response');
  const resolutionDueAt = due('resolution');
  const dueAt = [firstResponseDueAt, resolutionDueAt].filter((d): d is string => d !== undefined).sort()[0];
  return {
    ...rest,
    ...(firstResponseDueAt ? { firstResponseDueAt } : {}),
    ...(resolutionDueAt ? { resolutionDueAt } : {}),
    ...(dueAt ? { dueAt } : {}),
  };
}

export type SlaStep =
  | { status: 'running'; ticketId: string; cycle: number; waitSeconds: number; signals: number; countedAt: string }
  | { status: 'done' | 'duplicate'; ticketId: string; cycle: number };

/** Begin: claims the ticket's cycle for this execution, then advances; a second execution for the same cycle ends. */
export async function beginSla(ticketId: string, cycle: number, executionArn: string, now: Date): Promise<SlaStep> {
  try {
    await documentClient.send(new UpdateCommand({
      TableName: tableName(),
      Key: recordKey(TYPE, ticketId),
      UpdateExpression: 'SET slaRun = :run',
      // cycle is one of DynamoDB's reserved words
      ConditionExpression: 'attribute_exists(pk) AND #cycle = :cycle AND (attribute_not_exists(slaRun) OR slaRun.#cycle < :cycle OR slaRun.executionArn = :arn)',
      ExpressionAttributeNames: { '#cycle': 'cycle' },
      ExpressionAttributeValues: { ':run': { cycle, executionArn }, ':cycle': cycle, ':arn': executionArn },
    }));
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return { status: 'duplicate', ticketId, cycle };
  }
  return advanceSla(ticketId, cycle, now);
}

interface Escalation { timer: SlaTimer; to: string | undefined }

/** Advance: records, mails and announces what is due; returns the wait until the next timer. */
export async function advanceSla(ticketId: string, cycle: number, now: Date): Promise<SlaStep> {
  const { ticket, signals } = await readTicket(ticketId);
  const running = runningTargets(ticket);
  if (ticket.cycle !== cycle || running.length === 0 || !ticket.sla || !ticket.clock) return { status: 'done', ticketId, cycle };
  const tree = await departmentsUpFrom(ticket.departmentId);
  const { managers } = managersUp(ticket.departmentId, (id) => tree.get(id), new Set([ticket.ownerId]));
  const timers = slaTimers(ticket.clock, ticket.sla, running, Math.max(1, managers.length));
  const done = ticket.milestones.filter((m) => m.cycle === cycle);
  const { due, nextAt } = dueTimers(timers, done, now);
  if (due.length > 0) {
    const acted: Escalation[] = due.map((timer) => ({ timer, to: timer.kind === 'reminded' ? ticket.ownerId : managers[(timer.level ?? 1) - 1] }));
    const milestones: SlaMilestone[] = acted.map(({ timer, to }) => ({
      cycle, target: timer.target, kind: timer.kind, ...(timer.level ? { level: timer.level } : {}),
      dueAt: timer.at!.toISOString(), at: now.toISOString(), ...(to ? { to } : {}),
    }));
    const next = withDueTimes({ ...ticket, milestones: [...ticket.milestones, ...milestones], version: ticket.version + 1, updatedAt: now.toISOString() });
    await writeAllOrNothing([
      ticketChange(next, ticket.version, { signal: false, whenConditionFails: conflict(`ticket ${ticketId} changed meanwhile`) }),
      ...(await Promise.all(acted.map((escalation) => milestoneWrites(ticket, escalation, now)))).flat(),
    ]);
  }
  const waitMs = nextAt ? nextAt.getTime() - now.getTime() : IDLE_WAIT_SECONDS * 1000;
  return {
    status: 'running', ticketId, cycle, signals, countedAt: now.toISOString(),
    waitSeconds: Math.max(1, Math.min(IDLE_WAIT_SECONDS, Math.ceil(waitMs / 1000))),
  };
}

const TARGET_WORDS: Record<SlaTarget, string> = { 'first-response': 'first response', resolution: 'resolution' };

/** The mail to whoever a milestone tells (the assignee of a reminder, a manager of a breach) and, for a breach, Ticket.Breached. */
async function milestoneWrites(ticket: TicketRecord, { timer, to }: Escalation, now: Date): Promise<GuardedWrite[]> {
  const id = `ticket-sla#${ticket.id}#${ticket.cycle}#${timer.target}#${timer.kind}#${timer.level ?? 0}`;
  const at = now.toISOString();
  const writes: GuardedWrite[] = [];
  if (timer.kind !== 'reminded') {
    writes.push(eventToAnnounce(`${id}#event`, TicketBreached, {
      ticketId: ticket.id, cycle: ticket.cycle, teamId: ticket.departmentId, target: timer.target, dueAt: timer.at!.toISOString(),
      level: timer.level ?? 1, ...(to ? { escalatedTo: to } : {}),
    }, at));
  }
  if (!to) return writes;
  const reader = await contactOf(to);
  if (!reader.email) return writes;
  const assignee = await contactOf(ticket.ownerId);
  const what = TARGET_WORDS[timer.target];
  const due = formatDateTime(timer.at!.toISOString(), reader, now);
  const content = timer.kind === 'reminded'
    ? { subject: `Reminder: ${what} on “${ticket.subject}” is due ${due}`, paragraphs: [`The ${what} on this ticket is due ${due}.`] }
    : {
      subject: `Escalated: ${what} on “${ticket.subject}” is overdue`,
      paragraphs: [`The ${what} on this ticket was due ${due} and is overdue. ${timer.kind === 'breached' ? 'You are the assignee\'s manager.' : `It went one level further up (level ${timer.level}).`}`],
    };
  const message = renderMail({
    ...content,
    facts: [['Priority', ticket.priority], ['Category', ticket.category], ['Assignee', assignee.name]],
    links: [{ label: 'Open the ticket', url: consoleLink(`tickets/${encodeURIComponent(ticket.id)}`) }],
  });
  writes.push(mailToSend(`${id}#mail`, {
    FromEmailAddress: serviceSender(),
    Destination: { ToAddresses: [reader.email] },
    Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.text }, Html: { Data: message.html } } } },
    EmailTags: [{ Name: 'kind', Value: `ticket-${timer.kind}` }],
  }, at));
  return writes;
}

/** Await: stores the wait's token on the ticket; true when the wait must end at once (an action came, its timer is stale, or the cycle moved on). */
export async function storeWaitToken(ticketId: string, cycle: number, signalsSeen: number, token: string, countedAt: string, now = new Date()): Promise<boolean> {
  if (now.getTime() - Date.parse(countedAt) > WAIT_DRIFT_LIMIT_MS) return true;
  try {
    const { Attributes } = await documentClient.send(new UpdateCommand({
      TableName: tableName(),
      Key: recordKey(TYPE, ticketId),
      UpdateExpression: 'SET taskToken = :token, tokenSignals = :seen',
      ConditionExpression: '#cycle = :cycle AND #status IN (:open, :waiting)',
      ExpressionAttributeNames: { '#status': 'status', '#cycle': 'cycle' },
      ExpressionAttributeValues: { ':token': token, ':seen': signalsSeen, ':cycle': cycle, ':open': 'open', ':waiting': 'waiting-on-customer' },
      ReturnValues: 'ALL_NEW',
    }));
    return Number(Attributes?.signals ?? 0) > signalsSeen;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return true;
    throw error;
  }
}

