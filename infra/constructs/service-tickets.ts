import { ArnFormat, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TicketOpened } from '../../schemas/events';
import { ticketSlaWorkflow, TICKET_SLA_TRIGGER } from '../../workflows/ticket-sla';
import type { CrmApi } from './crm-api';
import type { CrmEvents } from './crm-events';
import type { CrmMail } from './crm-mail';
import { CrmFunction } from './crm-function';
import { CrmWorkflow } from './crm-workflow';

/** What the SLA engine and the call centre's intake do to the table: tickets, their timeline entries and outbox items, on known keys. */
const TASK_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];

/**
 * Service tickets: the ticket-sla workflow with its task function and the rule that starts it for every
 * ticket created or reopened (one run per ticket and cycle), and the function that makes the call centre's
 * Ticket.Opened a ticket. The API routes are in the route catalogue; the API and the outbox's relay may
 * wake a ticket's wait.
 */
export class ServiceTickets extends Construct {
  readonly sla: CrmWorkflow;

  /** `wakers`: the functions that complete a ticket's wait besides the API's (the outbox's relay) */
  constructor(scope: Construct, id: string, props: { table: TableV2; events: CrmEvents; api: CrmApi; mail: CrmMail; wakers: CrmFunction[] }) {
    super(scope, id);
    const stack = Stack.of(this);
    const task = new CrmFunction(this, 'TicketTask', {
      handler: 'tickets/ticket-task',
      timeout: Duration.seconds(30),
      // its escalation mails go out through the outbox and link to the console only
      environment: { TABLE_NAME: props.table.tableName, ...props.mail.environment({ links: false }) },
    });
    props.table.grant(task.fn, ...TASK_TABLE_ACTIONS);
    this.sla = new CrmWorkflow(this, 'TicketSla', {
      name: 'ticket-sla',
      comment: "A service ticket's SLA clock: reminders, breaches and escalations up the department tree, paused while it waits on the customer",
      definition: ticketSlaWorkflow(new Construct(this, 'SlaStates'), { task: task.fn }),
    });
    Validations.of(this.sla.stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(task.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'LambdaInvoke grants the workflow its own task function and that function\'s versions and aliases (<arn>:*), nothing else.',
    });
    // by name: the state machine refers to the task function, so a reference back would be a cycle
    const wake = new PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: [stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.sla.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
    for (const fn of [task, ...props.wakers, ...props.api.functionsThatUse('ticketSignals')]) fn.fn.addToRolePolicy(wake);
    props.events.addRule('TicketsToSla', {
      scope: this,
      eventPattern: TICKET_SLA_TRIGGER,
      description: 'Tickets created or reopened start ticket-sla',
      target: (delivery) => new SfnStateMachine(this.sla.stateMachine, delivery),
    });

    const fromCallCentre = new CrmFunction(this, 'OpenCallCentreTicket', {
      handler: 'tickets/open-call-centre-ticket',
      timeout: Duration.seconds(30),
      environment: { TABLE_NAME: props.table.tableName },
      logGroup: task.fn.logGroup,
    });
    props.table.grant(fromCallCentre.fn, ...TASK_TABLE_ACTIONS);
    props.events.addRule('CallCentreTickets', {
      scope: this,
      eventPattern: { source: [TicketOpened.source], detailType: [TicketOpened.detailType] },
      description: "The call centre's Ticket.Opened becomes a ticket (its Ticket.Created starts its SLA)",
      target: (delivery) => new LambdaFunction(fromCallCentre.fn, delivery),
    });
  }
}
