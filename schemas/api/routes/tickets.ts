import { SlaPolicyBodySchema, slaPolicyRecordSchema, TicketActionBodySchema, ticketRecordSchema, Tickets } from '../../tickets/records';
import { listQuerySchema, listResponseSchema, type ListFilter, type RouteSpec } from '../route-spec';

/** Service tickets, their teams' SLA policies and the survey page a closed ticket's mail opens. */
export const TICKET_LIST_FILTERS = ['departmentId', 'ownerId', 'status', 'accountId'] as const satisfies readonly ListFilter[];

function ticketRoutes(): RouteSpec[] {
  const tickets = { auth: 'jwt', tag: 'tickets' } as const;
  const policies = { auth: 'jwt', tag: 'sla-policies' } as const;
  return [
    {
      ...tickets, method: 'GET', path: '/tickets', operation: 'tickets/list-tickets',
      summary: "Tickets the caller may see; a team's (departmentId) is its queue: unfinished ones soonest due first, those waiting on the customer after them, then finished ones",
      contract: () => ({ query: listQuerySchema(TICKET_LIST_FILTERS), response: listResponseSchema(ticketRecordSchema()) }),
    },
    {
      ...tickets, method: 'POST', path: '/tickets', operation: 'tickets/create-ticket',
      summary: "Open a ticket (the team named, else the caller's, else the intake team; its SLA starts now)",
      contract: () => ({ body: Tickets.create, response: ticketRecordSchema() }),
    },
    { ...tickets, method: 'GET', path: '/tickets/{id}', operation: 'tickets/get-ticket', summary: 'A ticket with its SLA: due times, reminders, breaches and escalations', contract: () => ({ response: ticketRecordSchema() }) },
    {
      ...tickets, method: 'POST', path: '/tickets/{id}/{action}', operation: 'tickets/act-on-ticket',
      summary: 'respond (text), wait-on-customer (the SLA clock stops), customer-replied (it runs again), resolve, close (the survey is mailed), ' +
        'reopen (within the policy\'s window; the SLA restarts), assign (assigneeId, of the team). Send the version you read',
      contract: () => ({ body: TicketActionBodySchema, response: ticketRecordSchema() }),
    },
    { ...policies, method: 'GET', path: '/tickets/sla-policies/{teamId}', operation: 'tickets/get-sla-policy', summary: "A team's SLA policy", contract: () => ({ response: slaPolicyRecordSchema() }) },
    {
      ...policies, method: 'PUT', path: '/tickets/sla-policies/{teamId}', operation: 'tickets/put-sla-policy',
      summary: "Set a team's SLA policy, as its next version (tickets keep the version they started under; ops, admin)",
      contract: () => ({ body: SlaPolicyBodySchema, response: slaPolicyRecordSchema() }),
    },
    { auth: 'none', tag: 'tickets', method: 'GET', path: '/ticket-surveys/{token}', operation: 'tickets/show-survey-page', summary: "A closed ticket's survey page, from its mail (records nothing)" },
    { auth: 'none', tag: 'tickets', method: 'POST', path: '/ticket-surveys/{token}', operation: 'tickets/submit-survey-page', summary: "The survey page's rating (1-5): once per ticket and cycle" },
  ];
}

export const TICKET_ROUTES = ticketRoutes();
