/**
 * The nurture engine's items: sequences, enrolments and what they keep. None is a CRM record (no sk
 * RECORD), so the table stream's Record.Changed publisher ignores them.
 */
import { collectionPk } from './records';
import { listPk } from './table';

export const NURTURE_SEQUENCE_TYPE = 'NURTURE_SEQUENCE';
/** An enrolment's sort-key prefix inside its lead's collection (byCollection, LEAD#<id>). */
export const NURTURE_ENROLMENT_PREFIX = 'NURTURE#';
const version6 = (version: number) => String(version).padStart(6, '0');

export const nurtureKeys = {
  /** the sequence's head: name, status, latest and active version */
  sequenceHead: (sequenceId: string) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: 'HEAD' }),
  /** one immutable version of the document */
  sequenceVersion: (sequenceId: string, version: number) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: `VERSION#${version6(version)}` }),
  /** counters: enrolled, active, exited by reason, sent, opens, clicks, conversions */
  sequenceStats: (sequenceId: string) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: 'STATS' }),
  /**
   * One of the sequence's counter shards, moved in the same transaction as the enrolment it counts (so a
   * redelivered capture counts once); spread over 16 items so that concurrent enrolments rarely meet on
   * one. A sequence's figures are the sum of STATS and its shards.
   */
  sequenceStatsShard: (sequenceId: string, shard: number) => ({ pk: `${NURTURE_SEQUENCE_TYPE}#${sequenceId}`, sk: `STATS#${shard.toString(16)}` }),
  sequenceStatsPrefix: 'STATS',
  /**
   * Which sequences exist and a generation bumped by every change of one (new, new version, lifecycle):
   * the router reads this one item per batch and reloads its sequences only when the generation moved.
   */
  sequencesGeneration: () => ({ pk: `${NURTURE_SEQUENCE_TYPE}S`, sk: 'GENERATION' }),
  /** a head is listed by status (the router reads the active ones) and with every other sequence by type */
  sequenceHeadIndexes: (sequenceId: string, status: string, name: string) => ({
    byStatusPk: listPk.byStatus(NURTURE_SEQUENCE_TYPE, status),
    byStatusSk: `${name.toLowerCase()}#${sequenceId}`,
    byTypePk: listPk.byType(NURTURE_SEQUENCE_TYPE),
    byTypeSk: `${name.toLowerCase()}#${sequenceId}`,
  }),
  enrolment: (enrolmentId: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: 'ENROLMENT' }),
  /**
   * A lead's place in a sequence: how many of its enrolments are active and how many there ever were,
   * changed in the same transaction as each enrolment starts or ends, so that the re-entry policy and the
   * cap hold even when two triggering events for one lead arrive at the same moment.
   */
  leadInSequence: (leadId: string, sequenceId: string) => ({ pk: `NURTURE_LEAD#${leadId}`, sk: `SEQUENCE#${sequenceId}` }),
  /** an enrolment in its lead's collection: the lead's enrolments, per sequence, oldest first */
  enrolmentIndexes: (leadId: string, sequenceId: string, startedAt: string, enrolmentId: string) => ({
    byCollectionPk: collectionPk.lead(leadId),
    byCollectionSk: `${NURTURE_ENROLMENT_PREFIX}${sequenceId}#${startedAt}#${enrolmentId}`,
  }),
  /** the byCollectionSk prefix of a lead's enrolments (in one sequence, or in all) */
  enrolmentsOfLead: (sequenceId?: string) => (sequenceId ? `${NURTURE_ENROLMENT_PREFIX}${sequenceId}#` : NURTURE_ENROLMENT_PREFIX),
  /** one entry of an enrolment's timeline */
  enrolmentEvent: (enrolmentId: string, at: string, what: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: `EVENT#${at}#${what}` }),
  enrolmentEventPrefix: 'EVENT#',
  /**
   * The claim on (enrolment, step), put with attribute_not_exists before the step's side effect (a mail,
   * a score change, a task): a retried or repeated step finds it and does nothing twice. A mail's claim
   * also carries the SES message id, its opens and clicks, and an engagement wait's task token.
   */
  stepClaim: (enrolmentId: string, stepId: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: `STEP#${stepId}` }),
  /** the mark that the enrolment qualified its lead: the owner's hand-off is due (and re-done by a retry) */
  handOff: (enrolmentId: string) => ({ pk: `NURTURE_ENROLMENT#${enrolmentId}`, sk: 'HAND_OFF' }),
  /** the account-level suppression list: unsubscribed, bounced, complained */
  suppression: (email: string) => ({ pk: `NURTURE_SUPPRESSION#${email.toLowerCase()}`, sk: 'SUPPRESSION' }),
  /** the latest "not enrolled" decision for a lead and a sequence, with its reasons */
  decision: (leadId: string, sequenceId: string) => ({ pk: `NURTURE_DECISION#${leadId}`, sk: `SEQUENCE#${sequenceId}` }),
  decisionPk: (leadId: string) => `NURTURE_DECISION#${leadId}`,
  /** a conversion attributed to a campaign (or "none") and the sequence that nurtured the lead */
  conversion: (campaignId: string | undefined, sequenceId: string, leadId: string) => ({ pk: `CAMPAIGN_CONVERSIONS#${campaignId ?? 'none'}`, sk: `${sequenceId}#${leadId}` }),
  conversionsOfCampaign: (campaignId: string) => `CAMPAIGN_CONVERSIONS#${campaignId}`,
};
