import type { NurtureSequenceInput } from '../../schemas/nurture/sequence';

/**
 * A three-mail welcome sequence for the demo company, the example the README's nurture tour posts and
 * the tests start from (npm start does not load it): welcome mail, two working days, a follow-up; if
 * the follow-up is opened within 3 days, a last offer mail and a score boost, otherwise a reminder.
 * Crossing 50 points qualifies the lead and creates an opportunity for its owner.
 */
export const sampleWelcomeSequence = (id = 'welcome', overrides: Partial<NurtureSequenceInput> = {}): NurtureSequenceInput => ({
  id,
  name: 'Webinar welcome',
  campaignId: 'c-webinar-2026',
  trigger: {
    event: 'Lead.Captured',
    eventCondition: { field: 'formId', op: 'eq', value: 'webinar' },
    assignCapturedLeadsTo: 'u-sales',
  },
  reentry: 'never',
  defaultTimeZone: 'Europe/Berlin',
  scoring: { opened: 10, clicked: 20, mqlThreshold: 50, handOff: { opportunity: { name: 'Webinar follow-up', amount: { amountMinor: 500_000, currency: 'EUR' }, probability: 20, closesInDays: 60 } } },
  steps: [
    { id: 'welcome', type: 'send-mail', template: 'nurture-welcome' },
    { id: 'pause', type: 'wait', duration: { amount: 2, unit: 'workingDays' } },
    { id: 'follow-up', type: 'send-mail', template: 'nurture-follow-up' },
    { id: 'opened', type: 'wait-for-engagement', mailStep: 'follow-up', engagement: 'opened', withinDays: 3, yes: 'boost', no: 'reminder' },
    { id: 'boost', type: 'change-score', by: 30 },
    { id: 'offer', type: 'send-mail', template: 'nurture-offer', next: 'done' },
    { id: 'reminder', type: 'send-mail', template: 'nurture-reminder' },
    { id: 'done', type: 'end' },
  ],
  ...overrides,
});
