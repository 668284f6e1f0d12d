import { App, CfnOutput, NestedStack, Stack } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudAssembly, type CloudFormationTemplate, type StackArtifact } from '../../local/assembly/cloud-assembly';
import { createResolver } from '../../local/assembly/cfn-intrinsics';
import { mergeNestedStacks } from '../../local/assembly/nested-stacks';

/**
 * The local runtime reads nested stacks from the same cloud assembly (docs/decisions.md, "How the stack
 * grows past its budget"): their resources are merged into the one template the emulators read, under
 * ids prefixed with the nested stack's, with their parameters, outputs and intrinsics resolved.
 */

const env = { region: 'eu-west-1', accountId: '123456789012', stackName: 'App' };
/** a TemplateURL as CDK writes it: the bootstrap bucket, and the template's file asset as the object key */
const templateUrl = (hash: string) => ({
  'Fn::Join': ['', ['https://s3.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-eu-west-1' }, `/${hash}.json`]],
});

describe('a cloud assembly with nested stacks (fixture)', () => {
  let dir: string;
  let app: StackArtifact;

  const parent: CloudFormationTemplate = {
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'crm' } },
      Nested: {
        Type: 'AWS::CloudFormation::Stack',
        Properties: {
          Parameters: { TableName: { Ref: 'Table' }, TableArn: { 'Fn::GetAtt': ['Table', 'Arn'] }, Names: { 'Fn::Join': [',', ['first', 'second']] } },
          TemplateURL: templateUrl('aaa111'),
        },
      },
      // a sibling handed the first nested stack's output, as CDK wires a reference between two nested stacks
      Second: {
        Type: 'AWS::CloudFormation::Stack',
        Properties: { Parameters: { QueueArn: { 'Fn::GetAtt': ['Nested', 'Outputs.QueueArn'] } }, TemplateURL: templateUrl('bbb222') },
      },
      ApiFn: {
        Type: 'AWS::Lambda::Function',
        DependsOn: ['Nested'],
        Properties: {
          Environment: {
            Variables: {
              QUEUE_URL: { 'Fn::GetAtt': ['Nested', 'Outputs.QueueUrl'] },
              WORKER: { 'Fn::Sub': 'worker ${Nested.Outputs.WorkerName}' },
            },
          },
        },
      },
    },
    Outputs: { Machine: { Value: { 'Fn::GetAtt': 'Second.Outputs.MachineArn' } } },
  };
  const nested: CloudFormationTemplate = {
    Parameters: {
      TableName: { Type: 'String' },
      TableArn: { Type: 'String' },
      Names: { Type: 'CommaDelimitedList' },
      Stage: { Type: 'String', Default: 'dev' },
    },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] }, IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
    Mappings: { Memory: { dev: { Size: 256 } } },
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue' },
      Worker: {
        Type: 'AWS::Lambda::Function',
        DependsOn: 'Queue',
        Properties: {
          Environment: {
            Variables: {
              TABLE: { Ref: 'TableName' },
              TABLE_ARN: { Ref: 'TableArn' },
              QUEUE: { Ref: 'Queue' },
              QUEUE_ARN: { 'Fn::GetAtt': 'Queue.Arn' },
              FIRST: { 'Fn::Select': [1, { Ref: 'Names' }] },
              STAGE: { 'Fn::If': ['IsProd', 'p', 'd'] },
              MEMORY: { 'Fn::FindInMap': ['Memory', { Ref: 'Stage' }, 'Size'] },
              SUB: { 'Fn::Sub': '${TableName}|${Queue.Arn}|${AWS::Region}|${AWS::StackName}|${!Literal}' },
              SUB_VARIABLES: { 'Fn::Sub': ['${Name}@${TableName}', { Name: { Ref: 'Queue' } }] },
            },
          },
        },
      },
      DevOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsDev' },
    },
    Outputs: {
      QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
      QueueUrl: { Value: { Ref: 'Queue' } },
      WorkerName: { Value: { Ref: 'Worker' } },
    },
  };
  const second: CloudFormationTemplate = {
    Parameters: { QueueArn: { Type: 'String' } },
    Resources: {
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { StateMachineName: 'second', DefinitionString: { 'Fn::Join': ['', ['{"queue":"', { Ref: 'QueueArn' }, '"}']] } },
      },
    },
    Outputs: { MachineArn: { Value: { Ref: 'Machine' } } },
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nested-stacks-'));
    const write = (file: string, json: unknown) => writeFileSync(join(dir, file), JSON.stringify(json));
    write('manifest.json', {
      artifacts: {
        'App.assets': { type: 'cdk:asset-manifest', properties: { file: 'App.assets.json' } },
        App: { type: 'aws:cloudformation:stack', properties: { templateFile: 'App.template.json' }, dependencies: ['App.assets'] },
      },
    });
    write('App.assets.json', {
      files: {
        aaa111: { source: { path: 'AppNested.nested.template.json', packaging: 'file' }, destinations: { d: { objectKey: 'aaa111.json' } } },
        bbb222: { source: { path: 'AppSecond.nested.template.json', packaging: 'file' }, destinations: { d: { objectKey: 'bbb222.json' } } },
      },
    });
    write('App.template.json', parent);
    write('AppNested.nested.template.json', nested);
    write('AppSecond.nested.template.json', second);
    app = loadCloudAssembly(dir).stacks[0]!;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds each nested stack\'s template through its TemplateURL\'s file asset', () => {
    expect(app.nestedStacks.map((n) => ({ id: n.logicalId, file: n.templateFile }))).toEqual([
      { id: 'Nested', file: join(dir, 'AppNested.nested.template.json') },
      { id: 'Second', file: join(dir, 'AppSecond.nested.template.json') },
    ]);
    expect(app.nestedStacks[0]!.template).toEqual(nested);
  });

  it('merges the nested resources, conditions and mappings under ids prefixed with the nested stack\'s', () => {
    expect(Object.keys(app.resources).sort()).toEqual(['ApiFn', 'Nested', 'NestedDevOnly', 'NestedQueue', 'NestedWorker', 'Second', 'SecondMachine', 'Table']);
    expect(app.resources.NestedWorker!.DependsOn).toBe('NestedQueue');
    expect(app.resources.NestedDevOnly!.Condition).toBe('NestedIsDev');
    expect(app.template.Conditions?.NestedIsDev).toEqual({ 'Fn::Not': [{ Condition: 'NestedIsProd' }] });
    expect(Object.keys(app.template.Mappings ?? {})).toEqual(['NestedMemory']);
    expect(app.template.Parameters).toBeUndefined();
  });

  it('resolves the nested stack\'s parameters from the parent\'s values (or their defaults), its own resources and pseudo parameters', () => {
    const r = createResolver(app, env);
    expect(r.resolve(app.resources.NestedWorker!.Properties!.Environment)).toEqual({
      Variables: {
        TABLE: 'crm',
        TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/crm',
        QUEUE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/App-NestedQueue',
        QUEUE_ARN: 'arn:aws:sqs:eu-west-1:123456789012:App-NestedQueue',
        FIRST: 'second',
        STAGE: 'd',
        MEMORY: 256,
        SUB: 'crm|arn:aws:sqs:eu-west-1:123456789012:App-NestedQueue|eu-west-1|App-Nested|${Literal}',
        SUB_VARIABLES: 'https://sqs.eu-west-1.amazonaws.com/123456789012/App-NestedQueue@crm',
      },
    });
    expect(r.resolve({ 'Fn::If': ['NestedIsDev', 'dev', 'prod'] })).toBe('dev');
  });

  it('resolves Fn::GetAtt <nested stack>.Outputs.X in the parent, and in a sibling handed it as a parameter, to the nested output', () => {
    const r = createResolver(app, env);
    expect(r.resolve(app.resources.ApiFn!.Properties!.Environment)).toEqual({
      Variables: { QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/App-NestedQueue', WORKER: 'worker App-NestedWorker' },
    });
    expect(r.resolve(app.resources.SecondMachine!.Properties!.DefinitionString)).toBe('{"queue":"arn:aws:sqs:eu-west-1:123456789012:App-NestedQueue"}');
    expect(r.resolve(app.template.Outputs!.Machine!.Value)).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:second');
    // the nested stacks stay, so the parent's DependsOn still names a resource
    expect(app.resources.ApiFn!.DependsOn).toEqual(['Nested']);
    expect(app.resources.Nested!.Type).toBe('AWS::CloudFormation::Stack');
  });
});

const stackResource = (parameters: Record<string, unknown> = {}) => ({
  Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: parameters, TemplateURL: templateUrl('ccc333') },
});
/** merges one nested template into `parent`, whatever its TemplateURL */
const merge = (parent: CloudFormationTemplate, nested: CloudFormationTemplate) =>
  mergeNestedStacks(parent, () => ({ templateFile: 'nested.template.json', template: nested }));

describe('a nested stack deployed under a condition', () => {
  it('puts its resources under its condition too, and under their own', () => {
    const { template } = merge(
      { Conditions: { Wanted: true }, Resources: { N: { ...stackResource(), Condition: 'Wanted' } } },
      { Conditions: { Own: false }, Resources: { Plain: { Type: 'AWS::SQS::Queue' }, Conditional: { Type: 'AWS::SQS::Queue', Condition: 'Own' } } },
    );
    expect(template.Resources!.NPlain!.Condition).toBe('Wanted');
    const both = template.Resources!.NConditional!.Condition!;
    expect(template.Conditions![both]).toEqual({ 'Fn::And': [{ Condition: 'NOwn' }, { Condition: 'Wanted' }] });
  });
});

describe('nested stacks the local runtime refuses, with a reason', () => {
  it('a nested stack inside a nested stack', () => {
    expect(() => merge({ Resources: { Outer: stackResource() } }, { Resources: { Inner: stackResource() } }))
      .toThrow("Nested stack 'Outer' holds a nested stack of its own ('Inner'): the local runtime reads one level of nested stacks only");
  });

  it('a parameter given no value that has no default, or a parameter the template does not declare', () => {
    expect(() => merge({ Resources: { N: stackResource() } }, { Parameters: { Needed: { Type: 'String' } }, Resources: {} }))
      .toThrow("Nested stack 'N': its parameter 'Needed' is given no value and has no Default");
    expect(() => merge({ Resources: { N: stackResource({ Extra: 'x' }) } }, { Resources: {} })).toThrow(/does not declare: Extra/);
  });

  it('a reference to something the nested template does not have, or an output it does not declare', () => {
    expect(() => merge({ Resources: { N: stackResource() } }, { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'Missing' } } } } }))
      .toThrow(/Ref to 'Missing'/);
    expect(() => merge({ Resources: { N: stackResource(), F: { Type: 'AWS::Lambda::Function', Properties: { X: { 'Fn::GetAtt': ['N', 'Outputs.Nope'] } } } } }, { Resources: {} }))
      .toThrow("Fn::GetAtt N.Outputs.Nope: nested stack 'N' has no output 'Nope'");
  });

  it('a nested template that is not a file of the assembly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nested-stacks-'));
    try {
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ artifacts: { App: { type: 'aws:cloudformation:stack', properties: { templateFile: 'App.template.json' } } } }));
      writeFileSync(join(dir, 'App.template.json'), JSON.stringify({
        Resources: { Remote: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://example-bucket.s3.amazonaws.com/shared/vpc.json' } } },
      }));
      expect(() => loadCloudAssembly(dir)).toThrow(/Nested stack 'Remote': its TemplateURL names no file asset of this cloud assembly/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a synthesized CDK app with a nested stack', () => {
  let outdir: string;
  let app: StackArtifact;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'nested-cdk-'));
    const cdkApp = new App({ outdir });
    const parent = new Stack(cdkApp, 'Parent', { env: { account: env.accountId, region: env.region } });
    const bus = new EventBus(parent, 'Bus', { eventBusName: 'crm' });
    const child = new NestedStack(parent, 'Child');
    const queue = new Queue(child, 'Inbox');
    // the nested rule names the parent's bus (a parameter); the parent names the nested queue (an output)
    new Rule(child, 'ToInbox', { eventBus: bus, eventPattern: { source: ['crm.records'] }, targets: [new SqsQueue(queue)] });
    new CfnOutput(parent, 'InboxUrl', { value: queue.queueUrl });
    cdkApp.synth();
    app = loadCloudAssembly(outdir).stacks[0]!;
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('reads the nested template CDK wrote, its resources prefixed with the nested stack resource\'s id', () => {
    expect(app.nestedStacks).toHaveLength(1);
    const { logicalId } = app.nestedStacks[0]!;
    expect(logicalId).toMatch(/^ChildNestedStackChildNestedStackResource/);
    const rules = Object.entries(app.resources).filter(([, r]) => r.Type === 'AWS::Events::Rule').map(([id]) => id);
    expect(rules).toHaveLength(1);
    expect(rules[0]!.startsWith(`${logicalId}ToInbox`)).toBe(true);
  });

  it('resolves the nested rule\'s bus from the parent and its target to the nested queue, and the parent\'s output to that queue', () => {
    const r = createResolver(app, { ...env, stackName: 'Parent' });
    const [queueId] = Object.entries(app.resources).find(([, res]) => res.Type === 'AWS::SQS::Queue')!;
    const [, rule] = Object.entries(app.resources).find(([, res]) => res.Type === 'AWS::Events::Rule')!;
    const properties = r.resolve(rule.Properties) as { EventBusName: string; Targets: { Arn: string }[] };
    expect(properties.EventBusName).toBe('crm');
    expect(properties.Targets[0]!.Arn).toBe(`arn:aws:sqs:eu-west-1:123456789012:Parent-${queueId}`);
    expect(r.resolve(app.template.Outputs!.InboxUrl!.Value)).toBe(`https://sqs.eu-west-1.amazonaws.com/123456789012/Parent-${queueId}`);
  });
});
