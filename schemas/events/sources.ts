/**
 * Event sources. The CRM's own are `crm.<domain>` (DESIGN.md decision 8); other systems' are
 * `ext.<system>`. Each inbound system signs its POST /events calls with its own secret.
 */
export const SOURCES = {
  activities: 'crm.activities',
  records: 'crm.records',
  approvals: 'crm.approvals',
  /** trade promotions, funds, claims, campaign settlement */
  promotions: 'crm.promotions',
  // nurture sequences
  nurture: 'crm.nurture',
  /** service tickets and their SLAs */
  tickets: 'crm.tickets',
  erp: 'ext.erp',
  webForms: 'ext.web-forms',
  callCentre: 'ext.call-centre',
} as const;

/** The systems that may send events in, by the name they sign with (`x-tradeflow-source`). */
export const INBOUND_SYSTEMS = {
  erp: SOURCES.erp,
  'web-forms': SOURCES.webForms,
  'call-centre': SOURCES.callCentre,
} as const;
export type InboundSystem = keyof typeof INBOUND_SYSTEMS;
export const INBOUND_SYSTEM_NAMES = Object.keys(INBOUND_SYSTEMS) as InboundSystem[];

/** The CRM's event bus. */
export const CRM_BUS_NAME = 'crm';
