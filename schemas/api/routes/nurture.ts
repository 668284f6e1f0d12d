import { SequenceDryRunBodySchema, NurtureSequenceSchema, SequenceLifecycleBodySchema } from '../../nurture/sequence';
import type { RouteSpec } from '../route-spec';

/** Nurture sequences. */
function nurtureRoutes(): RouteSpec[] {
  const common = { auth: 'jwt', tag: 'nurture' } as const;
  return [
    { ...common, method: 'POST', path: '/nurture/sequences', operation: 'nurture/create-sequence', summary: 'Create a nurture sequence (validated; draft version 1; marketing, admin)', contract: () => ({ body: NurtureSequenceSchema }) },
    { ...common, method: 'GET', path: '/nurture/sequences', operation: 'nurture/list-sequences', summary: 'List nurture sequences' },
    { ...common, method: 'GET', path: '/nurture/sequences/{id}', operation: 'nurture/get-sequence', summary: 'A nurture sequence with its versions and counters (enrolled, active, exited by reason, sent, opens, clicks, conversions)' },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/versions', operation: 'nurture/add-sequence-version', summary: 'Edit a sequence: a new immutable version (running enrolments keep theirs)', contract: () => ({ body: NurtureSequenceSchema }) },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/lifecycle', operation: 'nurture/change-sequence-status', summary: 'Activate (a version), pause, resume or archive a sequence', contract: () => ({ body: SequenceLifecycleBodySchema }) },
    { ...common, method: 'POST', path: '/nurture/dry-run', operation: 'nurture/dry-run-sequence', summary: 'Validate a sequence and show the path a sample lead takes and when each mail goes', contract: () => ({ body: SequenceDryRunBodySchema }) },
    { ...common, method: 'GET', path: '/nurture/leads/{id}', operation: 'nurture/get-lead-nurture', summary: "A lead's enrolment timeline and why it was not enrolled" },
    {
      method: 'GET', path: '/unsubscribe/{token}', operation: 'nurture/show-unsubscribe-page', auth: 'none', tag: 'nurture',
      summary: "The page a nurture mail's unsubscribe link opens: asks to confirm, changes nothing",
    },
    {
      method: 'POST', path: '/unsubscribe/{token}', operation: 'nurture/unsubscribe-lead', auth: 'none', tag: 'nurture',
      summary: 'Unsubscribe: RFC 8058 one-click from a mail client, or the page\'s button (form field confirm=yes, answered with a page); no login, a forged token is refused',
    },
  ];
}

export const NURTURE_ROUTES = nurtureRoutes();
