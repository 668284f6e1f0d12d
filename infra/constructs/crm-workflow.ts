import { RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType, type IChainable } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * The one way the CRM builds a state machine: a Standard workflow (durable, exactly-once state
 * transitions), every state logged with its data, X-Ray traced.
 */
export class CrmWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  /** known before synthesis, so a policy can name the machine without referring to it */
  readonly stateMachineName: string;

  constructor(scope: Construct, id: string, props: { definition: IChainable; name: string; comment: string }) {
    super(scope, id);
    const logs = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/tradeflow-${props.name}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachineName = `tradeflow-${props.name}`;
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: this.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(props.definition),
      comment: props.comment,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
  }
}
