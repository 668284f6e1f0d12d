/**
 * The nurture engine: enrolment from triggering events, one step at a time for the state
 * machine (workflows/nurture.ts), engagement from SES's open/click events, exits that stop the
 * execution at once, scoring with the MQL hand-off, and conversions attributed to the campaign.
 *
 * Exactly-once effects: an enrolment's id is derived from (sequence, lead, triggering event), so a
 * duplicate event finds it (and StartExecution, named after it, is idempotent); every step with a side
 * effect first claims (enrolment, step) with a conditional put, so a retried step does nothing twice.
 * A claim made just before a crash leaves that effect undone rather than done twice: at most once.
 */
import { createHash } from 'node:crypto';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  LeadCaptured, LeadConverted, LeadEnrolled, LeadExitedSequence, LeadQualified, LeadUnsubscribed,
} from '../../schemas/events';
import { itemFor, listPk, nurtureKeys, recordKey, uniqueValueKey } from '../../schemas/keys';
import type { ExitReason, NurtureSequence, NurtureStep } from '../../schemas/nurture/sequence';
import { Accounts, Activities, Leads, Opportunities } from '../../schemas/records';
import { putEvent } from '../platform/event-bus';
import { logger, tracer } from '../platform/observability';
import {
  decideEnrolment, engagementDeadline, firstStep, fitPoints, hasMarketingConsent, insideSendWindow, nextStepId, sendTime, stepById, waitEnd,
} from './nurture-plan';
import {
  activeHeads, addToTimeline, count, endEnrolment, enrolmentsOfLead, getItem, isConditionFailure, putEnrolment, putNew, readEnrolment, readHead, readLead,
  readVersion, suppress, suppressionOf, type Enrolment,
} from './nurture-store';
import { linkSecrets } from '../platform/link-secret';
import { LINK_PURPOSES, signLink, verifyLink } from '../platform/signed-links';
import { evaluateCondition } from '../rules/conditions';
import { documentClient, tableName } from '../platform/table';

type Item = Record<string, unknown>;

const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const ses = tracer.captureAWSv3Client(new SESv2Client({}));

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const stateMachineArn = () => env('NURTURE_STATE_MACHINE_ARN');
/** An enrolment's execution is named after it. */
export const executionArnOf = (enrolmentId: string) => `${stateMachineArn().replace(':stateMachine:', ':execution:')}:${enrolmentId}`;
const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');
const UNSUBSCRIBE_LINK_DAYS = 60;

// ---------------------------------------------------------------------------------------------------
// Leads

/** The lead a Lead.Captured names (one per e-mail address, so a form sent twice is one lead), made on first sight. */
async function leadFromCapture(detail: Item, ownerId: string, now: string): Promise<Item> {
  const email = String(detail.email).toLowerCase();
  const id = `lead-${hash(email).slice(0, 32)}`;
  const existing = await readLead(id);
  if (existing) return existing;
  const owner = await getItem(recordKey('USER', ownerId));
  if (!owner) throw new Error(`the sequence assigns captured leads to ${ownerId}, who is not a user`);
  const consent = (detail.consent as { marketing?: boolean } | undefined)?.marketing === true;
  const record = Leads.record.parse({
    id, version: 1, createdAt: now, updatedAt: now, ownerId, departmentId: owner.departmentId,
    firstName: detail.firstName, lastName: detail.lastName, email,
    ...(detail.company ? { company: detail.company } : {}), ...(detail.phone ? { phone: detail.phone } : {}),
    ...(detail.interests ? { interests: detail.interests } : {}), ...(detail.region ? { region: detail.region } : {}),
    ...(detail.timeZone ? { timeZone: detail.timeZone } : {}), ...(detail.campaignId ? { campaignId: detail.campaignId } : {}),
    source: 'web-form', score: 0, status: 'new',
    marketingConsent: consent ? { status: 'given', at: String(detail.capturedAt), source: `web form ${String(detail.formId)}` } : { status: 'unknown' },
  });
  if (await putNew(itemFor('LEAD', record))) return record;
  return (await readLead(id))!;
}

/** Changes a lead as the engine (a new version, so an editor holding the old one gets a 409). */
async function updateLead(leadId: string, set: Record<string, unknown>, now: string, add?: { score: number }): Promise<Item> {
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':one': 1, ':now': now };
  const sets = ['#updatedAt = :now'];
  Object.entries(set).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
    sets.push(`#f${i} = :v${i}`);
  });
  if (set.status !== undefined) {
    names['#statusPk'] = 'byStatusPk';
    values[':statusPk'] = listPk.byStatus('LEAD', String(set.status));
    sets.push('#statusPk = :statusPk');
  }
  const adds = ['#version :one'];
  if (add) {
    names['#score'] = 'score';
    values[':by'] = add.score;
    adds.push('#score :by');
  }
  const { Attributes } = await documentClient.send(new UpdateCommand({
    TableName: tableName(),
    Key: recordKey('LEAD', leadId),
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  }));
  return Attributes!;
}

// ---------------------------------------------------------------------------------------------------
// Enrolment (the router)

export interface TriggerEvent {
  source: string;
  detailType: string;
  detail: Item;
}

/** Every active sequence this event triggers, each deciding on its own whether the lead enrols. */
export async function enrolFromEvent(event: TriggerEvent, now: string): Promise<{ enrolled: string[]; refused: string[] }> {
  const triggerType = event.detailType === LeadCaptured.detailType && event.source === LeadCaptured.source ? 'Lead.Captured'
    : event.detailType === 'Record.Changed' && event.detail.recordType === 'LEAD' && event.detail.change === 'created' ? 'Lead.Created'
    : undefined;
  const result = { enrolled: [] as string[], refused: [] as string[] };
  if (!triggerType) return result;
  const heads = (await activeHeads()).filter((h) => h.triggerEvent === triggerType);
  for (const head of heads) {
    const sequence = await readVersion(head.sequenceId, head.activeVersion ?? head.latestVersion);
    if (!sequence) continue;
    const lead = triggerType === 'Lead.Captured'
      ? await leadFromCapture(event.detail, sequence.trigger.assignCapturedLeadsTo!, now)
      : await readLead(String(event.detail.id));
    if (!lead || lead.deletedAt) continue;
    // the same event (however often delivered) names the same enrolment
    const triggerKey = triggerType === 'Lead.Captured'
      ? `${String(event.detail.formId)}|${String(event.detail.capturedAt)}|${String(event.detail.email).toLowerCase()}`
      : `created|${String(lead.id)}`;
    const enrolmentId = `enr-${hash(head.sequenceId, String(lead.id), triggerKey).slice(0, 40)}`;
    const already = await readEnrolment(enrolmentId);
    if (already) {
      if (already.status === 'active') await startExecution(enrolmentId, sequence);
      continue;
    }
    const existing = await enrolmentsOfLead(String(lead.id), head.sequenceId);
    const decision = decideEnrolment({
      sequence, status: head.status, detail: event.detail, lead, existing, suppressed: await suppressionOf(lead.email),
    });
    const refuse = async (reasons: string[]) => {
      result.refused.push(head.sequenceId);
      // an event the sequence does not listen for (another form) says nothing about why this lead is not in it
      const eventCondition = sequence.trigger.eventCondition;
      if (eventCondition && !evaluateCondition(eventCondition, event.detail)) return;
      await documentClient.send(new PutCommand({
        TableName: tableName(),
        Item: { ...nurtureKeys.decision(String(lead.id), head.sequenceId), sequenceId: head.sequenceId, sequenceName: sequence.name, at: now, trigger: event.detailType, reasons },
      }));
    };
    if (!decision.enrol) {
      await refuse(decision.reasons);
      continue;
    }
    const enrolment: Enrolment = {
      enrolmentId, sequenceId: head.sequenceId, sequenceVersion: head.activeVersion ?? head.latestVersion, leadId: String(lead.id),
      status: 'active', startedAt: now, trigger: event.detailType,
    };
    const item = { ...enrolment, ...nurtureKeys.enrolment(enrolmentId), ...nurtureKeys.enrolmentIndexes(enrolment.leadId, head.sequenceId, now, enrolmentId) };
    const written = await putEnrolment(item, enrolment, sequence);
    if (written === 'duplicate') continue;
    if (written === 'no-room') {
      await refuse([`another enrolment of this lead started at the same moment, and the sequence's re-entry policy (${sequence.reentry}${sequence.reentry === 'any-time' ? `, at most ${sequence.maxActivePerLead} active` : ''}) leaves no room for this one`]);
      continue;
    }
    result.enrolled.push(enrolmentId);
    await count(head.sequenceId, { enrolled: 1, active: 1 });
    await addToTimeline(enrolmentId, now, 'enrolled', { sequenceVersion: enrolment.sequenceVersion, trigger: event.detailType });
    const updated = await updateLead(enrolment.leadId, lead.status === 'new' ? { status: 'nurturing' } : {}, now);
    const fit = fitPoints(sequence, updated);
    if (fit !== 0) await changeScore(enrolment, sequence, fit, now, 'fit');
    await putEvent(LeadEnrolled.source, LeadEnrolled.detailType, {
      enrolmentId, sequenceId: head.sequenceId, sequenceVersion: enrolment.sequenceVersion, leadId: enrolment.leadId, enrolledAt: now,
    });
    await startExecution(enrolmentId, sequence);
  }
  return result;
}

async function startExecution(enrolmentId: string, sequence: NurtureSequence): Promise<void> {
  try {
    await sfn.send(new StartExecutionCommand({
      stateMachineArn: stateMachineArn(),
      name: enrolmentId,
      input: JSON.stringify({ enrolmentId, stepId: firstStep(sequence).id }),
    }));
  } catch (error) {
    // a redelivered event: the enrolment's execution runs (or ran) already
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Exits

/** Ends one enrolment for a reason and stops its execution at once. */
export async function exitEnrolment(enrolment: Enrolment, reason: ExitReason, now: string, stopExecution = true): Promise<boolean> {
  if (!(await endEnrolment(enrolment, 'exited', now, reason))) return false;
  if (stopExecution) {
    try {
      await sfn.send(new StopExecutionCommand({ executionArn: executionArnOf(enrolment.enrolmentId), error: 'Nurture.Exited', cause: reason }));
    } catch (error) {
      if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
    }
  }
  await putEvent(LeadExitedSequence.source, LeadExitedSequence.detailType, {
    enrolmentId: enrolment.enrolmentId, sequenceId: enrolment.sequenceId, sequenceVersion: enrolment.sequenceVersion,
    leadId: enrolment.leadId, reason, exitedAt: now,
  });
  return true;
}

/** Every active enrolment of the lead exits (unsubscribe, bounce, complaint, conversion). */
export async function exitLead(leadId: string, reason: ExitReason, now: string): Promise<Enrolment[]> {
  const active = (await enrolmentsOfLead(leadId)).filter((e) => e.status === 'active');
  const exited: Enrolment[] = [];
  for (const enrolment of active) if (await exitEnrolment(enrolment, reason, now)) exited.push(enrolment);
  return exited;
}

/**
 * A lead changed (Record.Changed): a conversion ends its enrolments and is attributed to each sequence
 * and its campaign; an exit condition that now holds ends that sequence's enrolment.
 */
export async function onLeadChanged(leadId: string, now: string): Promise<void> {
  const lead = await readLead(leadId);
  if (!lead) return;
  const active = (await enrolmentsOfLead(leadId)).filter((e) => e.status === 'active');
  for (const enrolment of active) {
    const sequence = await readVersion(enrolment.sequenceId, enrolment.sequenceVersion);
    if (!sequence) continue;
    if (lead.status === 'converted') {
      if (await exitEnrolment(enrolment, 'converted', now)) await attributeConversion(enrolment, sequence, lead, now);
    } else if (sequence.exitCondition && evaluateCondition(sequence.exitCondition, lead)) {
      await exitEnrolment(enrolment, 'exit-condition', now);
    }
  }
}

async function attributeConversion(enrolment: Enrolment, sequence: NurtureSequence, lead: Item, now: string): Promise<void> {
  const campaignId = sequence.campaignId ?? (typeof lead.campaignId === 'string' ? lead.campaignId : undefined);
  const stored = await putNew({
    ...nurtureKeys.conversion(campaignId, enrolment.sequenceId, enrolment.leadId),
    campaignId: campaignId ?? null, sequenceId: enrolment.sequenceId, sequenceVersion: enrolment.sequenceVersion,
    enrolmentId: enrolment.enrolmentId, leadId: enrolment.leadId, convertedAt: now,
  });
  if (!stored) return;
  await count(enrolment.sequenceId, { conversions: 1 });
  await putEvent(LeadConverted.source, LeadConverted.detailType, {
    leadId: enrolment.leadId, sequenceId: enrolment.sequenceId, ...(campaignId ? { campaignId } : {}), convertedAt: now,
  });
}

// ---------------------------------------------------------------------------------------------------
// Mail events from SES

const tagOf = (mail: Item | undefined, name: string): string | undefined => {
  const value = (mail?.tags as Record<string, string[]> | undefined)?.[name]?.[0];
  return typeof value === 'string' ? value : undefined;
};

export const MAIL_TAGS = { enrolment: 'nurture-enrolment', step: 'nurture-step' } as const;

/** An SES event of a nurture mail: opens and clicks count (once per mail) and resume a waiting step; bounces and complaints suppress and exit. */
export async function onMailEvent(detailType: string, detail: Item, now: string): Promise<void> {
  const mail = detail.mail as Item | undefined;
  const enrolmentId = tagOf(mail, MAIL_TAGS.enrolment);
  const stepId = tagOf(mail, MAIL_TAGS.step);
  if (!enrolmentId || !stepId) return;
  const enrolment = await readEnrolment(enrolmentId);
  if (!enrolment) return;
  if (detailType === 'Email Bounced' || detailType === 'Email Complaint Received') {
    const reason = detailType === 'Email Bounced' ? 'bounced' : 'complained';
    const lead = await readLead(enrolment.leadId);
    if (typeof lead?.email === 'string') await suppress(lead.email, reason, now, enrolment.leadId);
    await exitLead(enrolment.leadId, reason, now);
    return;
  }
  const kind = detailType === 'Email Opened' ? 'opened' : detailType === 'Email Clicked' ? 'clicked' : undefined;
  if (!kind) return;
  // a click is also an open (images may be blocked)
  const fields = kind === 'clicked' ? ['clickedAt', 'openedAt'] : ['openedAt'];
  const firsts: string[] = [];
  let claim: Item | undefined;
  for (const field of fields) {
    try {
      const { Attributes } = await documentClient.send(new UpdateCommand({
        TableName: tableName(),
        Key: nurtureKeys.stepClaim(enrolmentId, stepId),
        UpdateExpression: 'SET #f = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#f)',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }));
      claim = Attributes;
      firsts.push(field);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  if (firsts.length === 0) return;
  const sequence = await readVersion(enrolment.sequenceId, enrolment.sequenceVersion);
  await count(enrolment.sequenceId, Object.fromEntries(firsts.map((f) => [f === 'openedAt' ? 'opens' : 'clicks', 1])));
  for (const field of firsts) await addToTimeline(enrolmentId, now, field === 'openedAt' ? 'mail-opened' : 'mail-clicked', { stepId });
  const points = firsts.reduce((sum, f) => sum + (f === 'openedAt' ? sequence?.scoring?.opened ?? 0 : sequence?.scoring?.clicked ?? 0), 0);
  if (sequence && points !== 0 && enrolment.status === 'active') await changeScore(enrolment, sequence, points, now, kind);
  await resumeIfAwaiting(claim);
}

const engaged = (claim: Item | undefined, kind: unknown) => Boolean(kind === 'clicked' ? claim?.clickedAt : claim?.openedAt);

async function resumeIfAwaiting(claim: Item | undefined): Promise<void> {
  if (typeof claim?.awaitToken !== 'string' || !engaged(claim, claim.awaitFor)) return;
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: claim.awaitToken, output: JSON.stringify({ engaged: true }) }));
  } catch (error) {
    // the wait already ended (timed out, or the other side of the race resumed it)
    logger.info('engagement wait already ended', { error: (error as Error).name });
  }
}

/**
 * The engagement wait's task (waitForTaskToken): leaves its token on the mail's claim, for the open or
 * click that resumes it. Token first, then engagement read back in the same write, so an open that
 * arrived just before is never missed: whichever of the two writes comes second sees both.
 */
export async function awaitEngagement(input: { token: string; enrolmentId: string; mailStep: string; engagement: 'opened' | 'clicked' }): Promise<void> {
  try {
    const { Attributes } = await documentClient.send(new UpdateCommand({
      TableName: tableName(),
      Key: nurtureKeys.stepClaim(input.enrolmentId, input.mailStep),
      UpdateExpression: 'SET awaitToken = :token, awaitFor = :kind',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':token': input.token, ':kind': input.engagement },
      ReturnValues: 'ALL_NEW',
    }));
    await resumeIfAwaiting(Attributes);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // the mail was never sent (suppressed, skipped): nothing can be engaged with
    await sfn.send(new SendTaskSuccessCommand({ taskToken: input.token, output: JSON.stringify({ engaged: false }) }));
  }
}

// ---------------------------------------------------------------------------------------------------
// Scoring and hand-off

async function changeScore(enrolment: Enrolment, sequence: NurtureSequence, by: number, now: string, why: string): Promise<Item> {
  const before = await readLead(enrolment.leadId);
  const lead = await updateLead(enrolment.leadId, {}, now, { score: by });
  await addToTimeline(enrolment.enrolmentId, now, `score-${why}`, { by, score: lead.score });
  const threshold = sequence.scoring?.mqlThreshold;
  if (threshold !== undefined && Number(before?.score ?? 0) < threshold && Number(lead.score) >= threshold) {
    await handOff(enrolment, sequence, lead, now);
  }
  return lead;
}

/** The MQL hand-off: once per lead (the status change is conditional), qualified, owner notified, task/opportunity created. */
async function handOff(enrolment: Enrolment, sequence: NurtureSequence, lead: Item, now: string): Promise<void> {
  try {
    await documentClient.send(new UpdateCommand({
      TableName: tableName(),
      Key: recordKey('LEAD', enrolment.leadId),
      UpdateExpression: 'SET #status = :qualified, byStatusPk = :statusPk, updatedAt = :now ADD #version :one',
      ConditionExpression: '#status IN (:new, :nurturing)',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: { ':qualified': 'qualified', ':statusPk': listPk.byStatus('LEAD', 'qualified'), ':now': now, ':one': 1, ':new': 'new', ':nurturing': 'nurturing' },
    }));
  } catch (error) {
    if (isConditionFailure(error)) return;
    throw error;
  }
  const handOffSpec = sequence.scoring!.handOff;
  await notifyOwner(lead, `Lead ${String(lead.firstName)} ${String(lead.lastName)} is qualified (score ${String(lead.score)})`, `handoff-${enrolment.leadId}`, now);
  if (handOffSpec.task) await createTask(lead, handOffSpec.task.subject, `handoff-task-${enrolment.leadId}`, now);
  const opportunityId = handOffSpec.opportunity ? await createOpportunity(lead, handOffSpec.opportunity, `mql-${enrolment.leadId}`, now) : undefined;
  await addToTimeline(enrolment.enrolmentId, now, 'qualified', { score: lead.score, ...(opportunityId ? { opportunityId } : {}) });
  await putEvent(LeadQualified.source, LeadQualified.detailType, {
    leadId: enrolment.leadId, ownerId: lead.ownerId, score: Number(lead.score), threshold: sequence.scoring!.mqlThreshold,
    sequenceId: enrolment.sequenceId, ...(opportunityId ? { opportunityId } : {}), qualifiedAt: now,
  });
}

const owned = (lead: Item) => ({ ownerId: String(lead.ownerId), departmentId: String(lead.departmentId) });
const system = (id: string, now: string) => ({ id, version: 1, createdAt: now, updatedAt: now });
const shortId = (key: string) => hash(key).slice(0, 32);

/** A note on the lead's timeline for its owner (what the owner's activity list shows). */
async function notifyOwner(lead: Item, message: string, key: string, now: string): Promise<void> {
  const record = Activities.record.parse({ ...system(`note-${shortId(key)}`, now), ...owned(lead), type: 'note', subject: message, occurredAt: now, leadId: lead.id });
  await putNew(itemFor('ACTIVITY', record));
}

async function createTask(lead: Item, subject: string, key: string, now: string): Promise<void> {
  const record = Activities.record.parse({ ...system(`task-${shortId(key)}`, now), ...owned(lead), type: 'task', subject, occurredAt: now, leadId: lead.id });
  await putNew(itemFor('ACTIVITY', record));
}

/** An opportunity for the lead's owner; a lead without an account gets a prospect account first (once). */
async function createOpportunity(lead: Item, spec: NonNullable<NonNullable<NurtureSequence['scoring']>['handOff']['opportunity']>, key: string, now: string): Promise<string> {
  let accountId = typeof lead.accountId === 'string' ? lead.accountId : undefined;
  if (!accountId) {
    accountId = `acc-${shortId(`lead-account-${String(lead.id)}`)}`;
    const account = Accounts.record.parse({
      ...system(accountId, now), ...owned(lead), code: `LEAD-${shortId(String(lead.id)).slice(0, 12).toUpperCase()}`,
      name: String(lead.company ?? `${String(lead.firstName)} ${String(lead.lastName)}`), channelType: 'retail-outlet', tier: 'standard',
      status: 'prospect', region: String(lead.region ?? 'Unassigned'), ...(typeof lead.email === 'string' ? { email: lead.email } : {}),
    });
    try {
      await documentClient.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: itemFor('ACCOUNT', account), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: tableName(), Item: { ...uniqueValueKey('ACCOUNT', 'code', account.code), owner: `ACCOUNT#${accountId}` }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }));
    } catch (error) {
      if ((error as Error).name !== 'TransactionCanceledException') throw error;
    }
    await updateLead(String(lead.id), { accountId }, now);
  }
  const id = `opp-${shortId(key)}`;
  const close = new Date(Date.parse(now) + spec.closesInDays * 86_400_000).toISOString().slice(0, 10);
  const record = Opportunities.record.parse({
    ...system(id, now), ...owned(lead), accountId, name: spec.name, stage: 'qualification', amount: spec.amount,
    expectedCloseDate: close, probability: spec.probability, stageEnteredAt: now,
  });
  await putNew(itemFor('OPPORTUNITY', record));
  return id;
}

// ---------------------------------------------------------------------------------------------------
// One step (the state machine's task)

export interface StepInput {
  enrolmentId: string;
  stepId: string;
  resume?: { engaged?: boolean };
  failure?: unknown;
}

/** `resume` is always empty here: the state machine's engagement wait fills it in for the next run. */
export type StepOutput = { enrolmentId: string; stepId: string; resume: Record<string, never> } & (
  | { action: 'continue' }
  | { action: 'wait'; waitUntil: string }
  | { action: 'await'; timeoutSeconds: number; mailStep: string; engagement: 'opened' | 'clicked' }
  | { action: 'end' });

const PAUSED_RECHECK_MS = 3600_000;

/** Runs one step of an enrolment and says what the state machine does next. */
export async function runStep(input: StepInput, nowMs = Date.now()): Promise<StepOutput> {
  const now = new Date(nowMs);
  const at = now.toISOString();
  const end: StepOutput = { enrolmentId: input.enrolmentId, stepId: input.stepId, resume: {}, action: 'end' };
  const enrolment = await readEnrolment(input.enrolmentId);
  if (!enrolment || enrolment.status !== 'active') return end;
  if (input.failure !== undefined) {
    logger.error('nurture step failed', { enrolmentId: input.enrolmentId, stepId: input.stepId, failure: input.failure });
    await exitEnrolment(enrolment, 'failed', at, false);
    return end;
  }
  const [sequence, head, lead] = await Promise.all([
    readVersion(enrolment.sequenceId, enrolment.sequenceVersion), readHead(enrolment.sequenceId), readLead(enrolment.leadId),
  ]);
  if (!sequence || !lead) throw new Error(`enrolment ${input.enrolmentId} names a sequence version or lead that does not exist`);
  const exit = async (reason: ExitReason) => {
    await exitEnrolment(enrolment, reason, at, false);
    return end;
  };
  if (head?.status === 'archived') return exit('archived');
  if (head?.status === 'paused') return { ...end, action: 'wait', waitUntil: new Date(nowMs + PAUSED_RECHECK_MS).toISOString() };
  if (lead.status === 'converted') return exit('converted');
  if (sequence.exitCondition && evaluateCondition(sequence.exitCondition, lead)) return exit('exit-condition');
  const step = stepById(sequence, input.stepId);
  if (!step) throw new Error(`sequence ${sequence.id} v${enrolment.sequenceVersion} has no step ${input.stepId}`);

  const goOn = async (outcome?: boolean): Promise<StepOutput> => {
    const next = nextStepId(sequence, step, outcome);
    if (!next) {
      await endEnrolment(enrolment, 'completed', at);
      return end;
    }
    await documentClient.send(new UpdateCommand({
      TableName: tableName(), Key: nurtureKeys.enrolment(enrolment.enrolmentId),
      UpdateExpression: 'SET currentStep = :step', ExpressionAttributeValues: { ':step': next },
    }));
    return { enrolmentId: enrolment.enrolmentId, stepId: next, resume: {}, action: 'continue' };
  };
  /** the first run of a step with a side effect; false on a retry or repeat */
  const claim = (extra: Item = {}) => putNew({ ...nurtureKeys.stepClaim(enrolment.enrolmentId, step.id), stepId: step.id, type: step.type, at, ...extra });

  switch (step.type) {
    case 'send-mail': {
      if (!insideSendWindow(sequence, lead, now)) {
        return { ...end, action: 'wait', waitUntil: sendTime(sequence, lead, now).toISOString() };
      }
      if (!hasMarketingConsent(lead)) return exit('no-consent');
      const suppressed = await suppressionOf(lead.email);
      if (suppressed) return exit(suppressed === 'unsubscribed' ? 'unsubscribed' : 'suppressed');
      if (await claim({ status: 'sending' })) await sendMail(enrolment, sequence, step, lead, at);
      return goOn();
    }
    case 'wait': {
      const last = !nextStepId(sequence, step);
      if (last) {
        // the sequence ends with this wait: the state machine waits, then runs this step again, which completes
        const waited = await getItem(nurtureKeys.stepClaim(enrolment.enrolmentId, step.id));
        if (typeof waited?.until === 'string') return waited.until <= at ? goOn() : { ...end, action: 'wait', waitUntil: waited.until };
      }
      const until = waitEnd(sequence, step, lead, now).toISOString();
      await addToTimeline(enrolment.enrolmentId, at, 'waiting', { stepId: step.id, until });
      if (last) {
        await claim({ until });
        return { ...end, action: 'wait', waitUntil: until };
      }
      return { ...(await goOn()), action: 'wait', waitUntil: until };
    }
    case 'wait-for-engagement': {
      if (typeof input.resume?.engaged === 'boolean') return goOn(input.resume.engaged);
      const mail = await getItem(nurtureKeys.stepClaim(enrolment.enrolmentId, step.mailStep));
      if (engaged(mail, step.engagement)) return goOn(true);
      if (!mail) return goOn(false);
      const timeoutSeconds = Math.max(1, Math.ceil((engagementDeadline(step, now).getTime() - nowMs) / 1000));
      return { enrolmentId: enrolment.enrolmentId, stepId: step.id, resume: {}, action: 'await', timeoutSeconds, mailStep: step.mailStep, engagement: step.engagement };
    }
    case 'branch':
      return goOn(evaluateCondition(step.condition, lead));
    case 'change-score':
      if (await claim()) await changeScore(enrolment, sequence, step.by, at, 'step');
      return goOn();
    case 'notify-owner':
      if (await claim()) await notifyOwner(lead, step.message, `${enrolment.enrolmentId}|${step.id}`, at);
      return goOn();
    case 'create-task':
      if (await claim()) await createTask(lead, step.subject, `${enrolment.enrolmentId}|${step.id}`, at);
      return goOn();
    case 'create-opportunity':
      if (await claim()) await createOpportunity(lead, step.opportunity, `${enrolment.enrolmentId}|${step.id}`, at);
      return goOn();
    case 'set-status':
      if (await claim()) await updateLead(enrolment.leadId, { status: step.status }, at);
      return goOn();
    case 'end':
      await endEnrolment(enrolment, 'completed', at);
      return end;
  }
}

// ---------------------------------------------------------------------------------------------------
// Mail

async function sendMail(enrolment: Enrolment, sequence: NurtureSequence, step: Extract<NurtureStep, { type: 'send-mail' }>, lead: Item, at: string): Promise<void> {
  const owner = await getItem(recordKey('USER', String(lead.ownerId)));
  const from = sequence.fromAddress ?? (owner ? `${String(owner.name)} <${String(owner.email)}>` : undefined);
  if (!from) throw new Error(`lead ${String(lead.id)} has no owner to send as`);
  const token = signLink({
    purpose: LINK_PURPOSES.unsubscribe,
    subject: { leadId: String(lead.id) },
    expiresAt: new Date(Date.parse(at) + UNSUBSCRIBE_LINK_DAYS * 86_400_000),
  }, await linkSecrets());
  const unsubscribeUrl = `${env('PUBLIC_API_URL').replace(/\/+$/, '')}/unsubscribe/${token}`;
  const leadData = Object.fromEntries(['firstName', 'lastName', 'company', 'email', 'region', 'score'].filter((f) => lead[f] !== undefined).map((f) => [f, lead[f]]));
  const { MessageId } = await ses.send(new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: [String(lead.email)] },
    ConfigurationSetName: env('MAIL_CONFIGURATION_SET'),
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
  }));
  await documentClient.send(new UpdateCommand({
    TableName: tableName(), Key: nurtureKeys.stepClaim(enrolment.enrolmentId, step.id),
    UpdateExpression: 'SET #status = :sent, messageId = :id, sentAt = :at',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':sent': 'sent', ':id': MessageId ?? '', ':at': at },
  }));
  await count(enrolment.sequenceId, { sent: 1 });
  await addToTimeline(enrolment.enrolmentId, at, 'mail-sent', { stepId: step.id, template: step.template, messageId: MessageId });
}


// ---------------------------------------------------------------------------------------------------
// Unsubscribe (RFC 8058 one-click: no login, the signed token is the only credential)

export type UnsubscribeResult = { ok: true; leadId: string; exited: number } | { ok: false; reason: string };

/** Whose unsubscribe link this is (the token verified; nothing changes). */
export async function openUnsubscribeLink(token: string, now: string): Promise<{ ok: true; leadId: string; lead: Item } | { ok: false; reason: string }> {
  const verified = verifyLink(token, await linkSecrets(), { purpose: LINK_PURPOSES.unsubscribe, now: new Date(now) });
  if (!verified.ok) return { ok: false, reason: verified.reason };
  const leadId = verified.subject.leadId;
  const lead = leadId ? await readLead(leadId) : undefined;
  if (!leadId || !lead) return { ok: false, reason: 'unknown-lead' };
  return { ok: true, leadId, lead };
}

/** Suppresses the address, withdraws consent and stops every enrolment of the lead, before answering. */
export async function unsubscribe(token: string, now: string): Promise<UnsubscribeResult> {
  const opened = await openUnsubscribeLink(token, now);
  if (!opened.ok) return opened;
  const { leadId, lead } = opened;
  if (typeof lead.email === 'string') await suppress(lead.email, 'unsubscribed', now, leadId);
  await updateLead(leadId, { marketingConsent: { status: 'withdrawn', at: now, source: 'one-click unsubscribe' } }, now);
  const exited = await exitLead(leadId, 'unsubscribed', now);
  await putEvent(LeadUnsubscribed.source, LeadUnsubscribed.detailType, { leadId, unsubscribedAt: now });
  return { ok: true, leadId, exited: exited.length };
}
