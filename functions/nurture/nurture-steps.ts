import { nurtureKeys, recordKey } from '../../schemas/keys';
import { Leads, Users } from '../../schemas/records';
import type { ExitReason, NurtureSequence, NurtureStep, SequenceHead } from '../../schemas/nurture/sequence';
import * as z from '../../schemas/zod';
import { requiredEnv } from '../platform/env';
import { linkSecrets } from '../platform/link-secret';
import { logger } from '../platform/observability';
import { mailToSend, type OutboxMail } from '../platform/outbox';
import { LINK_PURPOSES, signLink } from '../platform/signed-links';
import { getItems, keyString, tableName } from '../platform/table';
import { evaluateCondition } from '../rules/conditions';
import { engaged, MAIL_TAGS } from './nurture-engagement';
import { completeEnrolment, exitConverted, exitEnrolment, leaveNurture } from './nurture-exits';
import { createOpportunity, createTask, notifyOwner } from './nurture-owner-tasks';
import { engagementDeadline, hasMarketingConsent, insideSendWindow, nextStepId, sendTime, stepById, timeZoneOf, waitEnd } from './nurture-plan';
import { EnrolmentOfSchema } from './nurture-executions';
import { changeScore, resumeHandOff } from './nurture-scoring';
import {
  getItem, leadChange, readEnrolment, readVersion, statsShard, timelineEntry, writeTogether,
  type Enrolment, type LeadItem, type UserItem, type WriteItem,
} from './nurture-store';

/*
 * The step runner: the nurture state machine's one task runs the enrolment's current step and says
 * what comes next (continue, wait until, await engagement, end).
 *
 * Effects once: a step that committed moves the enrolment on in the same transaction, and a retry of it
 * answers with what that run decided. A mail's claim, its outbox item, counter and timeline line are that
 * transaction (the relay sends it once, platform/outbox.ts), and so is a set-status's change of the lead;
 * a score change is one with its claim (nurture-scoring.ts); notes, tasks and opportunities are named
 * after the enrolment and step, so a run after a crash writes the same one.
 */

export const StepInputSchema = z.object({
  enrolmentId: z.string(),
  stepId: z.string(),
  /** what the engagement wait found, for the step that waited */
  resume: z.optional(z.nullable(z.object({ engaged: z.optional(z.boolean()) }))),
  /** the state machine's Catch: the step failed for good, and the enrolment ends as failed */
  failure: z.optional(z.unknown()),
  /** the execution's input: which sequence version and lead the enrolment is of (executions started before it said so do not) */
  execution: z.optional(z.unknown()),
});
export type StepInput = z.output<typeof StepInputSchema>;

/** `resume` is always empty here: the state machine's engagement wait fills it in for the next run. */
export type StepOutput = { enrolmentId: string; stepId: string; resume: Record<string, never> } & (
  | { action: 'continue' }
  | { action: 'wait'; waitUntil: string }
  | { action: 'await'; timeoutSeconds: number; mailStep: string; engagement: 'opened' | 'clicked' }
  | { action: 'end' });

/** A send-mail step's claim while its mail waits for the send window. */
const WAITING_FOR_WINDOW = 'waiting-for-window';
const PAUSED_RECHECK_MS = 3600_000;
const CONVERSION_RECHECK_MS = 3600_000;
const UNSUBSCRIBE_LINK_DAYS = 60;

/**
 * The enrolment, its sequence version, the sequence's head, the lead and this step's claim: read together
 * in one request when the execution says which sequence and lead the enrolment is of, else after the enrolment.
 */
async function readStep(input: StepInput, claimKey: { pk: string; sk: string }) {
  const told = EnrolmentOfSchema.safeParse(input.execution);
  const readFirst = told.success ? undefined : await readEnrolment(input.enrolmentId);
  const of = told.success ? told.data : readFirst;
  if (!of) return { enrolment: undefined, sequence: undefined, items: new Map<string, Record<string, unknown>>() };
  const enrolmentKey = nurtureKeys.enrolment(input.enrolmentId);
  const keys = [nurtureKeys.sequenceHead(of.sequenceId), recordKey(Leads.type, of.leadId), claimKey];
  const [sequence, items] = await Promise.all([
    readVersion(of.sequenceId, of.sequenceVersion),
    getItems(readFirst ? keys : [enrolmentKey, ...keys]),
  ]);
  const enrolment = readFirst ?? items.get(keyString(enrolmentKey)) as Enrolment | undefined;
  return { enrolment, sequence, items };
}

/** Runs one step of an enrolment and says what the state machine does next. */
export async function runStep(input: StepInput, nowMs = Date.now()): Promise<StepOutput> {
  const now = new Date(nowMs);
  const at = now.toISOString();
  const end: StepOutput = { enrolmentId: input.enrolmentId, stepId: input.stepId, resume: {}, action: 'end' };
  const claimKey = nurtureKeys.stepClaim(input.enrolmentId, input.stepId);
  const { enrolment, sequence, items } = await readStep(input, claimKey);
  if (!enrolment) return end;
  if (enrolment.status !== 'active') {
    // a run again after the end committed and before the lead moved on (the attempt died in between)
    await leaveNurture(enrolment, at);
    return end;
  }
  /** what an earlier attempt of this step decided, once it moved the enrolment on */
  const decidedBefore = (e: Enrolment): StepOutput => (e.status !== 'active' || !e.currentStep ? end
    : e.nextRunAt ? { ...end, stepId: e.currentStep, action: 'wait', waitUntil: e.nextRunAt } : { ...end, stepId: e.currentStep, action: 'continue' });
  // a retry of a step that committed before its attempt died (a crash, a timeout): it does nothing again
  if (enrolment.currentStep !== undefined && enrolment.currentStep !== input.stepId) return decidedBefore(enrolment);
  if (input.failure !== undefined) {
    logger.error('nurture step failed', { enrolmentId: input.enrolmentId, stepId: input.stepId, failure: input.failure as never });
    await exitEnrolment(enrolment, 'failed', at, false);
    return end;
  }
  const head = items.get(keyString(nurtureKeys.sequenceHead(enrolment.sequenceId))) as SequenceHead | undefined;
  const lead = items.get(keyString(recordKey(Leads.type, enrolment.leadId))) as LeadItem | undefined;
  /** this step's claim, if it was made (or the mail waits for the send window) */
  const claimed = items.get(keyString(claimKey));
  if (!sequence || !lead) throw new Error(`enrolment ${input.enrolmentId} names a sequence version or lead that does not exist`);
  const exit = async (reason: ExitReason) => {
    // a mail that waited for the window and now never goes waits no more, counted with the end
    await exitEnrolment(enrolment, reason, at, false, claimed?.status === WAITING_FOR_WINDOW ? { counts: { waitingForWindow: -1 } } : {});
    return end;
  };
  if (head?.status === 'archived') return exit('archived');
  if (head?.status === 'paused') return { ...end, action: 'wait', waitUntil: new Date(nowMs + PAUSED_RECHECK_MS).toISOString() };
  if (lead.status === 'converted') {
    // A conversion is the router's to act on (its Record.Changed): it ends the enrolment, stops this execution
    // and attributes the conversion. A step that sees the lead converted first waits for that, and only
    // once the router had its time ends the enrolment itself, attributing the conversion the same way.
    const routerHadItsTime = Date.parse(lead.updatedAt) + CONVERSION_RECHECK_MS;
    if (routerHadItsTime > nowMs) return { ...end, action: 'wait', waitUntil: new Date(routerHadItsTime).toISOString() };
    await exitConverted(enrolment, sequence, lead, at, false);
    return end;
  }
  if (sequence.exitCondition && evaluateCondition(sequence.exitCondition, lead)) return exit('exit-condition');
  const step = stepById(sequence, input.stepId);
  if (!step) throw new Error(`sequence ${sequence.id} v${enrolment.sequenceVersion} has no step ${input.stepId}`);

  /** The enrolment moves on from this step (and only from this step: a concurrent attempt moves it once), saying when the next one runs. */
  const moveTo = (stepId: string, waitUntil?: string): WriteItem => ({
    Update: {
      TableName: tableName(), Key: nurtureKeys.enrolment(enrolment.enrolmentId),
      UpdateExpression: waitUntil ? 'SET currentStep = :step, nextRunAt = :until' : 'SET currentStep = :step REMOVE nextRunAt',
      ConditionExpression: 'attribute_not_exists(currentStep) OR currentStep = :from',
      ExpressionAttributeValues: { ':step': stepId, ':from': step.id, ...(waitUntil ? { ':until': waitUntil } : {}) },
    },
  });
  /** Writes the move with this step's own writes; when another attempt got there first, says what it decided. */
  const move = async (writes: WriteItem[], output: StepOutput): Promise<StepOutput> => {
    if ((await writeTogether(writes)) === undefined) return output;
    const latest = await readEnrolment(enrolment.enrolmentId);
    if (!latest || latest.currentStep === step.id) throw new Error(`enrolment ${enrolment.enrolmentId} could not move on from ${step.id}`);
    return decidedBefore(latest);
  };
  /**
   * On to the next step, with this step's own writes (`pending`) in the same request; `waitUntil`: the
   * next step runs then (this step was a wait).
   */
  const goOn = async (outcome?: boolean, pending: WriteItem[] = [], waitUntil?: string): Promise<StepOutput> => {
    const next = nextStepId(sequence, step, outcome);
    if (!next) {
      if (pending.length > 0) await writeTogether(pending);
      await completeEnrolment(enrolment, at);
      return end;
    }
    // a wait that is not the sequence's last step only says when it ends: it starts here, in this
    // invocation and this step's request, rather than in a run of its own
    const following = stepById(sequence, next);
    const afterWait = following?.type === 'wait' && !waitUntil ? nextStepId(sequence, following) : undefined;
    if (following?.type === 'wait' && afterWait) {
      const until = waitEnd(sequence, following, lead, now).toISOString();
      return move(
        [...pending, { Put: timelineEntry(enrolment.enrolmentId, at, 'waiting', { stepId: following.id, until, timeZone: timeZoneOf(sequence, lead) }) }, moveTo(afterWait, until)],
        { enrolmentId: enrolment.enrolmentId, stepId: afterWait, resume: {}, action: 'wait', waitUntil: until },
      );
    }
    return move([...pending, moveTo(next, waitUntil)], waitUntil
      ? { enrolmentId: enrolment.enrolmentId, stepId: next, resume: {}, action: 'wait', waitUntil }
      : { enrolmentId: enrolment.enrolmentId, stepId: next, resume: {}, action: 'continue' });
  };
  /** This step's claim item, with what it records. */
  const claimItem = (fields: Record<string, unknown> = {}) => ({ ...claimKey, stepId: step.id, type: step.type, at, ...fields });
  /** This step's claim with `fields`, written with `write` the first time; on a retry, the first attempt's claim. */
  const onceWith = async (write: WriteItem, fields: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (claimed) return claimed;
    const item = claimItem(fields);
    const written = await writeTogether([{ Put: { TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, write]);
    return written === undefined ? item : (await getItem(claimKey)) ?? item;
  };

  switch (step.type) {
    case 'send-mail': {
      const shard = statsShard(enrolment.sequenceId, enrolment.enrolmentId);
      if (!insideSendWindow(sequence, lead, now)) {
        const until = sendTime(sequence, lead, now).toISOString();
        // counted, and put on the timeline, once however often the step wakes before the window opens
        if (!claimed) {
          await writeTogether([
            { Put: { TableName: tableName(), Item: claimItem({ status: WAITING_FOR_WINDOW }), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Update: { ...shard, UpdateExpression: 'ADD waitingForWindow :one', ExpressionAttributeValues: { ':one': 1 } } },
            { Put: timelineEntry(enrolment.enrolmentId, at, 'waiting-for-send-window', { stepId: step.id, until, timeZone: timeZoneOf(sequence, lead) }) },
          ]);
        }
        return { ...end, action: 'wait', waitUntil: until };
      }
      if (!hasMarketingConsent(lead)) return exit('no-consent');
      const found = await getItems([nurtureKeys.suppression(String(lead.email)), recordKey(Users.type, lead.ownerId)]);
      const suppression = found.get(keyString(nurtureKeys.suppression(String(lead.email))));
      if (suppression) return exit(suppression.reason === 'unsubscribed' ? 'unsubscribed' : 'suppressed');
      const waited = claimed?.status === WAITING_FOR_WINDOW;
      // a retried step whose mail is queued already just goes on
      if (claimed && !waited) return goOn();
      const owner = found.get(keyString(recordKey(Users.type, lead.ownerId))) as UserItem | undefined;
      const mail = await nurtureMail(enrolment, sequence, step, lead, owner, at);
      // the claim, the mail's outbox item, the counter and the timeline line in one transaction: a crash
      // before it sends nothing and the step runs again; a crash after it still sends (the relay does)
      return goOn(undefined, [
        {
          Put: {
            TableName: tableName(), Item: claimItem({ status: 'queued' }),
            ConditionExpression: waited ? '#status = :waiting' : 'attribute_not_exists(pk)',
            ...(waited ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':waiting': WAITING_FOR_WINDOW } } : {}),
          },
        },
        mailToSend(`nurture-mail#${enrolment.enrolmentId}#${step.id}`, mail, at, claimKey).item,
        { Update: { ...shard, UpdateExpression: `ADD sent :one${waited ? ', waitingForWindow :less' : ''}`, ExpressionAttributeValues: { ':one': 1, ...(waited ? { ':less': -1 } : {}) } } },
        { Put: timelineEntry(enrolment.enrolmentId, at, 'mail-sent', { stepId: step.id, template: step.template }) },
      ]);
    }
    case 'wait': {
      const last = !nextStepId(sequence, step);
      if (last) {
        // the sequence ends with this wait: the state machine waits, then runs this step again, which completes
        const waited = claimed;
        if (typeof waited?.until === 'string') return waited.until <= at ? goOn() : { ...end, action: 'wait', waitUntil: waited.until };
      }
      const until = waitEnd(sequence, step, lead, now).toISOString();
      const waiting: WriteItem = { Put: timelineEntry(enrolment.enrolmentId, at, 'waiting', { stepId: step.id, until, timeZone: timeZoneOf(sequence, lead) }) };
      if (!last) return goOn(undefined, [waiting], until);
      const started = await onceWith(waiting, { until });
      return { ...end, action: 'wait', waitUntil: String(started.until) };
    }
    case 'wait-for-engagement': {
      if (typeof input.resume?.engaged === 'boolean') return goOn(input.resume.engaged);
      const mail = await getItem(nurtureKeys.stepClaim(enrolment.enrolmentId, step.mailStep));
      if (engaged(mail, step.engagement)) return goOn(true);
      if (!mail) return goOn(false);
      // the deadline, and its timeline line, are the first attempt's
      const until = engagementDeadline(step, now).toISOString();
      const started = await onceWith({
        Put: timelineEntry(enrolment.enrolmentId, at, 'waiting-for-engagement', { stepId: step.id, mailStep: step.mailStep, engagement: step.engagement, until, timeZone: timeZoneOf(sequence, lead) }),
      }, { until });
      const timeoutSeconds = Math.max(1, Math.ceil((Date.parse(String(started.until)) - nowMs) / 1000));
      return { enrolmentId: enrolment.enrolmentId, stepId: step.id, resume: {}, action: 'await', timeoutSeconds, mailStep: step.mailStep, engagement: step.engagement };
    }
    case 'branch':
      return goOn(evaluateCondition(step.condition, lead));
    case 'change-score': {
      // the score and this step's claim in one transaction; a retry finishes a hand-off a crash cut short
      const changed = !claimed && await changeScore(enrolment, sequence, step.by, at, 'step', [
        { Put: { TableName: tableName(), Item: claimItem(), ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
      if (!changed) await resumeHandOff(enrolment, sequence, at);
      return goOn();
    }
    // named after the enrolment and step, so a run after a crash creates the same record once more: at least once, never twice
    case 'notify-owner':
      await notifyOwner(lead, step.message, `${enrolment.enrolmentId}|${step.id}`, at);
      return goOn();
    case 'create-task':
      await createTask(lead, step.subject, `${enrolment.enrolmentId}|${step.id}`, at);
      return goOn();
    case 'create-opportunity':
      await createOpportunity(lead, step.opportunity, `${enrolment.enrolmentId}|${step.id}`, at);
      return goOn();
    case 'set-status':
      // with the move on: once
      return goOn(undefined, [leadChange(enrolment.leadId, { set: { status: step.status } }, at)]);
    case 'end':
      await completeEnrolment(enrolment, at);
      return end;
  }
}

/**
 * A send-mail step's mail, as the lead's owner (or the sequence's sender), with a signed one-click
 * unsubscribe link. It goes out through the outbox; its claim is the mail's tracker: the relay marks it
 * sent with SES's message id (or failed), which the engagement wait reads.
 */
async function nurtureMail(
  enrolment: Enrolment, sequence: NurtureSequence, step: Extract<NurtureStep, { type: 'send-mail' }>, lead: LeadItem, owner: UserItem | undefined, at: string,
): Promise<OutboxMail> {
  const from = sequence.fromAddress ?? (owner ? `${owner.name} <${owner.email}>` : undefined);
  if (!from) throw new Error(`lead ${lead.id} has no owner to send as`);
  if (!lead.email) throw new Error(`lead ${lead.id} has no e-mail address to send to`);
  const token = signLink({
    purpose: LINK_PURPOSES.unsubscribe,
    subject: { leadId: lead.id },
    expiresAt: new Date(Date.parse(at) + UNSUBSCRIBE_LINK_DAYS * 86_400_000),
  }, await linkSecrets());
  const unsubscribeUrl = `${requiredEnv('PUBLIC_API_URL').replace(/\/+$/, '')}/unsubscribe/${token}`;
  const leadData = Object.fromEntries((['firstName', 'lastName', 'company', 'email', 'region', 'score'] as const).filter((f) => lead[f] !== undefined).map((f) => [f, lead[f]]));
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [lead.email] },
    EmailTags: [{ Name: MAIL_TAGS.enrolment, Value: enrolment.enrolmentId }, { Name: MAIL_TAGS.step, Value: step.id }],
    Content: {
      Template: {
        TemplateName: step.template,
        TemplateData: JSON.stringify({ ...step.data, lead: leadData, owner: { name: owner?.name, email: owner?.email }, unsubscribeUrl }),
        Headers: [
          { Name: 'List-Unsubscribe', Value: `<${unsubscribeUrl}>` },
          { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
        ],
      },
    },
  };
}
