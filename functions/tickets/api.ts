import { listQuerySchema } from '../../schemas/api/route-spec';
import { TICKET_LIST_FILTERS, TICKET_ROUTES } from '../../schemas/api/routes/tickets';
import { Tickets } from '../../schemas/tickets/records';
import { apiRouter, type ApiRoute } from '../platform/api-handler';
import { listRecordsRoute } from '../records';
import { getSlaPolicy, putSlaPolicy } from './sla-policies';
import { actOnTicket, createTicket, getTicket } from './tickets';
import { showSurveyPage, submitSurveyPage } from './ticket-survey';
import { ticketView } from './ticket-store';

/** POST /tickets/{id}/{action}: an agent works the ticket; the SLA workflow is woken to count again. */
const actOnTicketRoute: ApiRoute = async (request) => ({
  status: 200, body: await actOnTicket(request.principal(), request.path('id'), request.path('action'), request.body(), request.now),
});

const createTicketRoute: ApiRoute = async (request) => ({ status: 201, body: await createTicket(request.principal(), request.body(), request.now) });

const getTicketRoute: ApiRoute = async (request) => ({ status: 200, body: await getTicket(request.principal(), request.path('id')) });

/** GET /tickets?departmentId=: a team's queue (its byDepartment list sorts by the SLA's next due time). */
const listTicketsRoute = listRecordsRoute(Tickets, () => listQuerySchema(TICKET_LIST_FILTERS), ticketView);

const getSlaPolicyRoute: ApiRoute = async (request) => ({ status: 200, body: await getSlaPolicy(request.path('teamId')) });


const putSlaPolicyRoute: ApiRoute = async (request) => ({
  status: 200, body: await putSlaPolicy(request.principal(), request.path('teamId'), request.body(), request.now),
});

/** GET /ticket-surveys/{token}: the survey page a closed ticket's mail opens (no login; records nothing). */
const showSurveyPageRoute: ApiRoute = async (request) => showSurveyPage(request.path('token'), request.query, new Date(request.now));

/** POST /ticket-surveys/{token}: the page's rating, once. */
const submitSurveyPageRoute: ApiRoute = async (request) => submitSurveyPage(request.path('token'), request.rawBody(), new Date(request.now));

/** The tickets API: one function behind a router over the route catalogue's tickets routes. */
export const handler = apiRouter('tickets', TICKET_ROUTES, {
  'act-on-ticket': actOnTicketRoute,
  'create-ticket': createTicketRoute,
  'get-sla-policy': getSlaPolicyRoute,
  'get-ticket': getTicketRoute,
  'list-tickets': listTicketsRoute,
  'put-sla-policy': putSlaPolicyRoute,
  'show-survey-page': showSurveyPageRoute,
  'submit-survey-page': submitSurveyPageRoute,
});
