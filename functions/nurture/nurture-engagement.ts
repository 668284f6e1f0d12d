import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nurtureKeys } from '../../schemas/keys';
import * as z from '../../schemas/zod';
import { logger } from '../platform/observability';
import { sesMailEvent, type SesMailEventDetail } from '../platform/ses-mail-events';
import { completeTask } from '../platform/step-functions';
import { documentClient, tableName } from '../platform/table';
import { exitLead } from './nurture-exits';
import { changeScore, resumeHandOff } from './nurture-scoring';
import {
  getItem, isConditionFailure, readEnrolment, readLead, readVersion, statsShard, suppress, timelineEntry, writeTogether, type WriteItem,
} from './nurture-store';

/*
 * Engagement with nurture mail, from SES's events on the bus: opens and clicks count once per mail,
 * score, and resume a step that waits for them; bounces and complaints suppress the address and end
 * the lead's enrolments. Each mail is tagged with its enrolment and step, which is how an event finds them.
 */

export const MAIL_TAGS = { enrolment: 'nurture-enrolment', step: 'nurture-step' } as const;

/** SES's mail events the nurture router is sent (infra's NurtureMailEvents rule), described as the event catalogue describes ours. */
export const SES_MAIL_EVENTS = [
  sesMailEvent('Email Opened'), sesMailEvent('Email Clicked'), sesMailEvent('Email Bounced'), sesMailEvent('Email Complaint Received'),
] as const;

type StepClaim = Record<string, unknown>;

/** Whether a mail's step claim records the engagement a step waits for. */
export const engaged = (claim: StepClaim | undefined, kind: unknown) => Boolean(kind === 'clicked' ? claim?.clickedAt : claim?.openedAt);

/** An SES event of a nurture mail: opens and clicks count (once per mail) and resume a waiting step; bounces and complaints suppress and exit. */
export async function onMailEvent(detailType: string, detail: SesMailEventDetail, now: string): Promise<void> {
  const tags = detail.mail?.tags;
  const enrolmentId = tags?.[MAIL_TAGS.enrolment]?.[0];
  const stepId = tags?.[MAIL_TAGS.step]?.[0];
  if (!enrolmentId || !stepId) return;
  const enrolment = await readEnrolment(enrolmentId);
  if (!enrolment) return;
  if (detailType === 'Email Bounced' || detailType === 'Email Complaint Received') {
    const reason = detailType === 'Email Bounced' ? 'bounced' : 'complained';
    const lead = await readLead(enrolment.leadId);
    if (lead?.email) await suppress(lead.email, reason, now, enrolment.leadId);
    await exitLead(enrolment.leadId, reason, now);
    return;
  }
  const kind = detailType === 'Email Opened' ? 'opened' : detailType === 'Email Clicked' ? 'clicked' : undefined;
  if (!kind) return;
  const claimKey = nurtureKeys.stepClaim(enrolmentId, stepId);
  const [claim, sequence] = await Promise.all([getItem(claimKey), readVersion(enrolment.sequenceId, enrolment.sequenceVersion)]);
  if (!claim) return;
  // a click is also an open (images may be blocked)
  const firsts = (kind === 'clicked' ? ['clickedAt', 'openedAt'] as const : ['openedAt'] as const).filter((f) => !claim[f]);
  if (firsts.length > 0) {
    // the mark on the mail, its counts, timeline lines and score in one transaction: counted once, lost never
    const marked: WriteItem = {
      Update: {
        TableName: tableName(), Key: claimKey,
        UpdateExpression: `SET ${firsts.map((_, i) => `#f${i} = :now`).join(', ')}`,
        ConditionExpression: ['attribute_exists(pk)', ...firsts.map((_, i) => `attribute_not_exists(#f${i})`)].join(' AND '),
        ExpressionAttributeNames: Object.fromEntries(firsts.map((f, i) => [`#f${i}`, f])),
        ExpressionAttributeValues: { ':now': now },
      },
    };
    const counted = firsts.map((f) => (f === 'openedAt' ? 'opens' : 'clicks'));
    const writes: WriteItem[] = [
      marked,
      {
        Update: {
          ...statsShard(enrolment.sequenceId, enrolmentId),
          UpdateExpression: `ADD ${counted.map((_, i) => `#c${i} :one`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(counted.map((c, i) => [`#c${i}`, c])),
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      ...firsts.map((f) => ({ Put: timelineEntry(enrolmentId, now, f === 'openedAt' ? 'mail-opened' : 'mail-clicked', { stepId }) })),
    ];
    const points = firsts.reduce((sum, f) => sum + (f === 'openedAt' ? sequence?.scoring?.opened ?? 0 : sequence?.scoring?.clicked ?? 0), 0);
    const scored = sequence && points !== 0 && enrolment.status === 'active';
    // another delivery of this event marked the mail first: it counted, and this one finishes what it may not have
    const done = scored ? !(await changeScore(enrolment, sequence, points, now, kind, writes)) : (await writeTogether(writes)) !== undefined;
    if (done) await resumeHandOff(enrolment, sequence, now);
  } else {
    await resumeHandOff(enrolment, sequence, now);
  }
  // read after the mark: an engagement wait that left its token before it is resumed here, one after it resumes itself
  await resumeIfAwaiting(await getItem(claimKey));
}

async function resumeIfAwaiting(claim: StepClaim | undefined): Promise<void> {
  if (typeof claim?.awaitToken !== 'string' || !engaged(claim, claim.awaitFor)) return;
  try {
    await completeTask(claim.awaitToken, { engaged: true });
  } catch (error) {
    // the wait already ended (timed out, or the other side of the race resumed it)
    logger.info('engagement wait already ended', { error: (error as Error).name });
  }
}

export const AwaitEngagementInputSchema = z.object({
  token: z.string(), enrolmentId: z.string(), mailStep: z.string(), engagement: z.enum(['opened', 'clicked']),
});

/**
 * The engagement wait's task (waitForTaskToken): leaves its token on the mail's claim, for the open or
 * click that resumes it. Token first, then engagement read back in the same write, so an open that
 * arrived just before is never missed: whichever of the two writes comes second sees both.
 */
export async function awaitEngagement(input: z.output<typeof AwaitEngagementInputSchema>): Promise<void> {
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
    await completeTask(input.token, { engaged: false });
  }
}
