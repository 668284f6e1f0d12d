import { ArnFormat, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { workHandover } from '../../workflows/work-handover';
import { TABLE_ACTIONS, type CrmApi } from './crm-api';
import { CrmFunction } from './crm-function';
import type { CrmMail } from './crm-mail';
import { CrmWorkflow } from './crm-workflow';

const NAME = 'work-handover';

/**
 * Work handover: its state machine and its one task function (plan, move a page, finish, record a failure).
 * The records API starts it through the outbox (the relay may start this machine and no other); its task
 * function moves records, hands approval tasks on through the approval engine (which it may wake, and
 * whose mails sign decision links) and deactivates the leaver in the user pool when asked.
 */
export class WorkHandover extends Construct {
  readonly workflow: CrmWorkflow;

  constructor(scope: Construct, id: string, props: { table: TableV2; api: CrmApi; mail: CrmMail; outboxRelay: CrmFunction; wakeApproval: PolicyStatement }) {
    super(scope, id);
    const stack = Stack.of(this);
    const step = new CrmFunction(this, 'Step', {
      handler: 'records/run-handover-step',
      timeout: Duration.minutes(5),
      environment: { TABLE_NAME: props.table.tableName, USER_POOL_ID: props.api.userPool.userPoolId, ...props.mail.environment() },
    });
    props.table.grant(step.fn, ...TABLE_ACTIONS.write);
    props.mail.linkSecret.grantRead(step.fn);
    props.api.userPool.grant(step.fn, 'cognito-idp:AdminDisableUser', 'cognito-idp:AdminUserGlobalSignOut');
    step.fn.addToRolePolicy(props.wakeApproval);

    this.workflow = new CrmWorkflow(this, 'Workflow', {
      name: NAME,
      comment: 'A leaver\'s book handed to other users, page by page, each item moved once',
      definition: workHandover(this, { step: step.fn }),
    });
    Validations.of(this.workflow.stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(step.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'The state machine may invoke its own task function in any version or alias (<function arn>:*), the grant CDK writes for LambdaInvoke; no other function.',
    });

    // by name: the API function and the relay name the machine without a reference to it
    const arn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.workflow.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    props.api.apiFunction('records').fn.addEnvironment('HANDOVER_STATE_MACHINE_ARN', arn);
    props.outboxRelay.fn.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }));
  }
}
