import { TicketOpened } from '../../schemas/events';
import { eventHandler } from '../platform/task-handler';
import { openTicketFromCallCentre } from './tickets';

/**
 * Rule target of the call centre's Ticket.Opened: the ticket, once per the call centre's id. Its own
 * Ticket.Created then starts its one SLA run. An event it cannot take (an account code nobody has) fails,
 * so the rule's retries and then its dead-letter queue keep it, with an alarm, until ops redrive it.
 */
export const handler = eventHandler([TicketOpened], async (event, now) => openTicketFromCallCentre(event.detail, now));
