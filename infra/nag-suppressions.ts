import { Names, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';

/**
 * The cdk-nag AwsSolutions findings we accept, each with its reason. Anything not acknowledged here
 * fails the infra tests (and `cdk synth`).
 */
export function acknowledgeAcceptedFindings(stack: Stack, table: TableV2) {
  const tableElement = table.node.defaultChild as CfnElement;
  // in a nested stack the table's ARN is a parameter, which CDK names referenceto<the table's unique id>Arn
  const tableArn = Stack.of(table) === stack ? `${stack.getLogicalId(tableElement)}.Arn` : `referenceto${Names.nodeUniqueId(tableElement.node)}Arn`;
  const accepted: { id: string; reason: string }[] = [
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'Functions use AWSLambdaBasicExecutionRole, which only allows writing their own CloudWatch logs.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions, and neither does states:SendTaskSuccess to a task token the approval engine is handed by the workflow waiting for it.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${tableArn}>/index/*]`,
      reason: 'Table grants cover the table\'s own indexes (table/<name>/index/*) and nothing else; lists and the account 360 query the indexes.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'Functions pin nodejs22.x on purpose (DESIGN.md decision 1: the code runs on Node 20 and 22; middy 6); the runtime is raised deliberately, not by a synth.',
    },
  ];
  for (const finding of accepted) Validations.of(stack).acknowledge(finding);
}
