import { NURTURE_ROUTES } from '../../schemas/api/routes/nurture';
import { addVersion, changeLifecycle, createSequence, dryRunSequence, leadNurture, listSequences, readSequence } from './nurture-sequences';
import { showUnsubscribePage, submitUnsubscribe } from './unsubscribe-page';
import { apiRouter, type ApiRoute } from '../platform/api-handler';

/** POST /nurture/sequences/{id}/versions: an edit is a new immutable version (marketing, admin). */
const addSequenceVersionRoute: ApiRoute = async (request) => ({
  status: 201, body: await addVersion(request.principal(), request.path('id'), request.body(), request.now),
});

/** POST /nurture/sequences/{id}/lifecycle: activate (a version), pause, resume or archive (marketing, admin). */
const changeSequenceStatusRoute: ApiRoute = async (request) => ({
  status: 200, body: await changeLifecycle(request.principal(), request.path('id'), request.body(), request.now),
});

/** POST /nurture/sequences: a new sequence, validated, as draft version 1 (marketing, admin). */
const createSequenceRoute: ApiRoute = async (request) => ({ status: 201, body: await createSequence(request.principal(), request.body(), request.now) });

/** POST /nurture/dry-run: validates a sequence and shows the path a sample lead takes and when each mail goes. */
const dryRunSequenceRoute: ApiRoute = async (request) => ({ status: 200, body: await dryRunSequence(request.principal(), request.body()) });

/** GET /nurture/leads/{id}: the lead's enrolment timeline and why it was not enrolled (whoever may read the lead). */
const getLeadNurtureRoute: ApiRoute = async (request) => ({ status: 200, body: await leadNurture(request.principal(), request.path('id')) });

/** GET /nurture/sequences/{id}: the sequence, its versions and its counters. */
const getSequenceRoute: ApiRoute = async (request) => ({ status: 200, body: await readSequence(request.principal(), request.path('id')) });

/** GET /nurture/sequences: every sequence's head. */
const listSequencesRoute: ApiRoute = async (request) => ({ status: 200, body: await listSequences(request.principal()) });

/** GET /unsubscribe/{token}: the page the link in a nurture mail opens (no login; changes nothing). */
const showUnsubscribePageRoute: ApiRoute = async (request) => showUnsubscribePage(request.path('token'), request.now);

/**
 * POST /unsubscribe/{token}: RFC 8058 one-click unsubscribe, or the confirmation page's button. No
 * login: the signed token is the credential; a forged, expired or foreign token is refused and changes nothing.
 */
const unsubscribeLeadRoute: ApiRoute = async (request) => submitUnsubscribe(request.path('token'), request.rawBody(), request.now);

/** The nurture API: one function behind a router over the route catalogue's nurture routes. */
export const handler = apiRouter('nurture', NURTURE_ROUTES, {
  'add-sequence-version': addSequenceVersionRoute,
  'change-sequence-status': changeSequenceStatusRoute,
  'create-sequence': createSequenceRoute,
  'dry-run-sequence': dryRunSequenceRoute,
  'get-lead-nurture': getLeadNurtureRoute,
  'get-sequence': getSequenceRoute,
  'list-sequences': listSequencesRoute,
  'show-unsubscribe-page': showUnsubscribePageRoute,
  'unsubscribe-lead': unsubscribeLeadRoute,
});
