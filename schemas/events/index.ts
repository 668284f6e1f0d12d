import * as z from '../zod';
import { ApprovalApproved, ApprovalRecalled, ApprovalRejected, ApprovalRequested } from './approvals';
import { ActivityRecorded, RecordChanged } from './crm';
import type { EventDefinition } from './define';
import { ClaimPaid, LeadCaptured, OrderPlaced, PaymentReceived, TicketOpened } from './inbound';
// trade promotions, funds, claims, campaign settlement
import {
  CampaignPlanned, CampaignSettled, ClaimApproved, ClaimSubmitted, PromotionApproved, PromotionClosedOut, PromotionSubmitted,
} from './promotions';
// nurture sequences
import { LeadConverted, LeadEnrolled, LeadExitedSequence, LeadQualified, LeadUnsubscribed } from './nurture';
// service tickets
import { TicketBreached, TicketClosed, TicketCreated, TicketFirstResponded, TicketRated, TicketReopened } from './tickets';

export * from './approvals';
export * from './crm';
export * from './inbound';
export * from './promotions';
export * from './nurture';
export * from './tickets';
export * from './sources';
export type { EventDefinition } from './define';

/** Every event the CRM knows, in the order the docs list them. */
export const EVENT_CATALOGUE: EventDefinition[] = [
  LeadCaptured, OrderPlaced, PaymentReceived, ClaimPaid, TicketOpened, ActivityRecorded, RecordChanged,
  ApprovalRequested, ApprovalApproved, ApprovalRejected, ApprovalRecalled,
  // trade promotions, funds, claims, campaign settlement
  PromotionSubmitted, PromotionApproved, PromotionClosedOut, CampaignPlanned, ClaimSubmitted, ClaimApproved, CampaignSettled,
  // nurture sequences
  LeadEnrolled, LeadExitedSequence, LeadQualified, LeadConverted, LeadUnsubscribed,
  // service tickets
  TicketCreated, TicketReopened, TicketFirstResponded, TicketBreached, TicketClosed, TicketRated,
];

export const findEvent = (source: string, detailType: string) =>
  EVENT_CATALOGUE.find((e) => e.source === source && e.detailType === detailType);

/** The detail's JSON Schema (draft 4, what the EventBridge schema registry reads). */
export const detailJsonSchema = (event: EventDefinition) =>
  z.toJSONSchema(event.detail, { target: 'draft-04', io: 'input', unrepresentable: 'any' });

/** The whole event as EventBridge delivers it, for the schema registry (JSONSchemaDraft4). */
export function eventJsonSchema(event: EventDefinition) {
  const { $schema: _ignored, ...detail } = detailJsonSchema(event) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: `${event.source} ${event.detailType}`,
    description: event.description,
    type: 'object',
    required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      'detail-type': { type: 'string', enum: [event.detailType] },
      source: { type: 'string', enum: [event.source] },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail,
    },
  };
}

/** A registry schema name: `ext.erp@Order.Placed`. */
export const registrySchemaName = (event: EventDefinition) => `${event.source}@${event.detailType}`;
