import { ArnFormat, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnTemplate } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { LeadCaptured, NURTURE_ENGINE_WRITER, RecordChanged } from '../../schemas/events';
import { nurtureWorkflow, NURTURE_WORKFLOW_NAME } from '../../workflows/nurture';
import { deadLetterQueueFor, queueFor, type DeliveryOptions } from './crm-events';
import { CrmFunction } from './crm-function';
import { CrmWorkflow } from './crm-workflow';
import type { SharedParts } from './domain-stack';

const ROUTER_TIMEOUT_S = 30;
const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const WRITE = [...READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/** The mail templates the sample sequences use; marketing adds its own with SES's CreateEmailTemplate. */
const FOOTER_HTML = '<p style="font-size:small">You get this because you asked us to keep in touch. <a href="{{unsubscribeUrl}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '\n\nUnsubscribe: {{unsubscribeUrl}}';
const TEMPLATES: { name: string; subject: string; body: string }[] = [
  { name: 'nurture-welcome', subject: 'Welcome, {{lead.firstName}}', body: 'Thanks for joining our webinar. The recording: https://tradeflow.example/webinar/recording' },
  { name: 'nurture-follow-up', subject: '{{lead.firstName}}, three ideas for your shelves', body: 'Our category guide: https://tradeflow.example/guide' },
  { name: 'nurture-offer', subject: 'An offer for {{lead.company}}', body: 'Book a tasting with {{owner.name}}: https://tradeflow.example/tasting' },
  { name: 'nurture-reminder', subject: 'Did you see our guide, {{lead.firstName}}?', body: 'The guide again: https://tradeflow.example/guide' },
];

/**
 * The nurture engine: the generic state machine, its step and engagement-wait functions, the
 * router on the triggering, lead-change and SES mail events, and the sample mail templates. Unsubscribe
 * links are signed with the mail's link secret (infra/constructs/crm-mail.ts). Each function gets only what it uses.
 */
export class NurtureEngine extends Construct {
  readonly workflow: CrmWorkflow;

  constructor(scope: Construct, id: string, props: Pick<SharedParts, 'table' | 'events' | 'api' | 'mail'>) {
    super(scope, id);
    const { table, events, api, mail } = props;
    const stack = Stack.of(this);

    for (const t of TEMPLATES) {
      new CfnTemplate(this, `Template-${t.name}`, {
        template: {
          templateName: t.name,
          subjectPart: t.subject,
          textPart: `Hello {{lead.firstName}},\n\n${t.body}${FOOTER_TEXT}`,
          htmlPart: `<p>Hello {{lead.firstName}},</p><p>${t.body.replace(/(https:\/\/\S+)/g, '<a href="$1">$1</a>')}</p>${FOOTER_HTML}`,
        },
      });
    }

    const common = { TABLE_NAME: table.tableName, EVENT_BUS_NAME: events.bus.eventBusName };
    const runStep = new CrmFunction(this, 'RunStep', {
      handler: 'nurture/run-nurture-step',
      timeout: Duration.seconds(30),
      // mail's environment: the configuration set, and the link secret and API address of unsubscribe links
      environment: { ...common, ...mail.environment() },
    });
    const awaitEngagement = new CrmFunction(this, 'AwaitEngagement', { handler: 'nurture/await-engagement', environment: common });
    const router = new CrmFunction(this, 'Router', { handler: 'nurture/route-nurture-events', timeout: Duration.seconds(ROUTER_TIMEOUT_S), environment: common });

    this.workflow = new CrmWorkflow(this, 'Workflow', {
      name: NURTURE_WORKFLOW_NAME,
      comment: 'One execution per nurture enrolment: walks the pinned sequence version step by step',
      definition: nurtureWorkflow(this, { runStep: runStep.fn, awaitEngagement: awaitEngagement.fn }),
    });
    const machine = this.workflow.stateMachine;
    // built from the name, not the machine's attributes: the machine refers to the step functions, so
    // their policies may not refer back to it
    const machineName = `tradeflow-${NURTURE_WORKFLOW_NAME}`;
    const machineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: machineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${machineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    const unsubscribe = api.apiFunction('nurture');
    // the router and the unsubscribe link stop executions when a lead exits
    for (const fn of [router, unsubscribe]) fn.fn.addEnvironment('NURTURE_STATE_MACHINE_ARN', machine.stateMachineArn);

    for (const fn of [runStep, awaitEngagement, router]) table.grant(fn.fn, ...WRITE);
    // the router announces enrolments; everything else the engine announces goes through the outbox
    events.bus.grantPutEventsTo(router.fn);
    mail.linkSecret.grantRead(runStep.fn);
    machine.grantStartExecution(router.fn);
    for (const fn of [router, awaitEngagement]) {
      fn.fn.addToRolePolicy(new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [machineArn] }));
    }
    for (const fn of [router, unsubscribe]) {
      fn.fn.addToRolePolicy(new PolicyStatement({ actions: ['states:StopExecution'], resources: [executions] }));
    }
    const ack = (target: Construct, resource: string, reason: string) => Validations.of(target).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    // the unsubscribe route's role is the API's, shared by routes granted the same: the finding is on the role
    for (const target of [router.fn, unsubscribe.fn.role!]) {
      ack(target, `arn:<AWS::Partition>:states:${stack.region}:<AWS::AccountId>:execution:${machineName}:*`,
        'A lead exits by stopping its enrolments\' executions: one per enrolment, named at run time, all of the nurture state machine and of no other.');
    }
    for (const fn of [runStep, awaitEngagement]) {
      const logicalId = stack.getLogicalId(fn.fn.node.defaultChild as CfnElement);
      ack(this.workflow, `<${logicalId}.Arn>:*`, 'CDK grants the state machine each task function and its versions (function:*), as LambdaInvoke does for any workflow.');
    }

    // The rules fill one queue and the router takes it ten events at a time: a launch's captures are
    // enrolled in batches (one read of the sequences, one BatchGetItem, one PutEvents per batch), and a
    // failed event goes back to the queue alone (partial batch responses).
    const routerQueue = queueFor(this, 'RouterQueue', {
      consumer: router.fn,
      consumerTimeout: Duration.seconds(ROUTER_TIMEOUT_S),
      // the router's own, as three rules fill its queue
      deadLetterQueue: deadLetterQueueFor(this, 'RouterDeadLetters', 'Nurture events failed five deliveries to the router: read them from its dead-letter queue'),
      backlogDescription: 'Nurture events have waited more than 15 minutes for the router: enrolments are falling behind',
    });
    const deliver = (delivery: DeliveryOptions) => new SqsQueue(routerQueue, delivery);
    events.addRule('NurtureTriggers', {
      scope: this,
      eventPattern: { source: [LeadCaptured.source], detailType: [LeadCaptured.detailType] },
      description: 'Captured leads start nurture enrolments',
      target: deliver,
    });
    events.addRule('NurtureLeadChanges', {
      scope: this,
      eventPattern: {
        source: [RecordChanged.source], detailType: [RecordChanged.detailType],
        // the engine's own lead writes (new leads from captures, enrolled leads) would only echo back to it
        detail: { recordType: ['LEAD'], changedBy: [{ 'anything-but': [NURTURE_ENGINE_WRITER] }, { exists: false }] as never },
      },
      description: 'New leads may enrol; changed leads may convert or meet an exit condition (not the engine\'s own changes)',
      target: deliver,
    });
    events.addRule('NurtureMailEvents', {
      scope: this,
      eventPattern: { source: ['aws.ses'], detailType: ['Email Opened', 'Email Clicked', 'Email Bounced', 'Email Complaint Received'] },
      description: 'Opens and clicks of nurture mail count and resume engagement waits; bounces and complaints suppress and exit',
      target: deliver,
    });
  }
}
