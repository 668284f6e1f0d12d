import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetPathOf, loadCloudAssembly, type CloudFormationTemplate } from '../../local/assembly/cloud-assembly';
import { createResolver, LOCAL_STREAM_LABEL } from '../../local/assembly/cfn-intrinsics';

describe('loadCloudAssembly', () => {
  let dir: string;
  const lambda = {
    Type: 'AWS::Lambda::Function',
    Properties: { Code: { S3Bucket: 'b', S3Key: 'abc123.zip' }, Handler: 'index.handler' },
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloud-assembly-'));
    const write = (file: string, json: unknown) => writeFileSync(join(dir, file), JSON.stringify(json));
    write('manifest.json', {
      version: '55.0.0',
      artifacts: {
        'App.assets': { type: 'cdk:asset-manifest', properties: { file: 'App.assets.json' } },
        App: {
          type: 'aws:cloudformation:stack',
          environment: 'aws://123456789012/eu-west-1',
          properties: { templateFile: 'App.template.json' },
          dependencies: ['App.assets'],
        },
        Agnostic: {
          type: 'aws:cloudformation:stack',
          environment: 'aws://unknown-account/unknown-region',
          properties: { templateFile: 'Agnostic.template.json', stackName: 'agnostic-stack' },
        },
        Staged: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod' } },
        Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
      },
    });
    write('App.assets.json', {
      files: {
        abc123: { source: { path: 'asset.abc123', packaging: 'zip' }, destinations: { d: { objectKey: 'abc123.zip' } } },
      },
    });
    write('App.template.json', {
      Resources: {
        Fn: lambda,
        WithMetadata: { ...lambda, Metadata: { 'aws:asset:path': 'asset.def456' } },
        Table: { Type: 'AWS::DynamoDB::GlobalTable', DependsOn: ['Fn'] },
      },
    });
    write('Agnostic.template.json', {});
    mkdirSync(join(dir, 'assembly-Prod'));
    write('assembly-Prod/manifest.json', {
      artifacts: {
        'Prod-Api': { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json', stackName: 'Prod-Api' } },
      },
    });
    write('assembly-Prod/Api.template.json', { Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the stacks, nested assemblies included, with their templates and environments', () => {
    const { stacks } = loadCloudAssembly(dir);
    expect(stacks.map((s) => s.stackName)).toEqual(['App', 'agnostic-stack', 'Prod-Api']);
    const [app, agnostic, prod] = stacks;
    expect(app).toMatchObject({ artifactId: 'App', account: '123456789012', region: 'eu-west-1', cdkOutDir: dir });
    expect(app!.templateFile).toBe(join(dir, 'App.template.json'));
    expect(app!.resources.Table).toEqual({ Type: 'AWS::DynamoDB::GlobalTable', DependsOn: ['Fn'] });
    expect(agnostic).toMatchObject({ artifactId: 'Agnostic', account: undefined, region: undefined, resources: {} });
    expect(prod!.resources.Queue!.Type).toBe('AWS::SQS::Queue');
    expect(prod!.cdkOutDir).toBe(join(dir, 'assembly-Prod'));
  });

  it('locates code assets from metadata, else from the asset manifest', () => {
    const app = loadCloudAssembly(dir).stacks[0]!;
    expect(assetPathOf(app.resources.WithMetadata!, dir)).toBe(join(dir, 'asset.def456'));
    expect(assetPathOf(app.resources.Fn!, dir, app)).toBe(join(dir, 'asset.abc123'));
    expect(() => assetPathOf(app.resources.Fn!, dir)).toThrow(/No code asset/);
  });
});

describe('createResolver', () => {
  const template: CloudFormationTemplate = {
    Parameters: {
      BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
      Stage: { Type: 'String', Default: 'dev' },
      NoDefault: { Type: 'String' },
    },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      InIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      DevInIreland: { 'Fn::And': [{ Condition: 'IsNotProd' }, { Condition: 'InIreland' }] },
      ProdOrIreland: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'InIreland' }] },
    },
    Mappings: { Memory: { dev: { Size: 256 } } },
    Resources: {
      Table: { Type: 'AWS::DynamoDB::GlobalTable' },
      NamedTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'crm-records' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'api']] } } },
      Role: { Type: 'AWS::IAM::Role' },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
      Topic: { Type: 'AWS::SNS::Topic' },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'Approval' } },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'tradeflow' } },
      Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' } } },
      Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'people' } },
      Client: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'Pool' } } },
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'http' } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/tradeflow/app' } },
      Bucket: { Type: 'AWS::S3::Bucket' },
    },
  };
  const stack = { template, resources: template.Resources! };
  const env = { region: 'eu-west-1', accountId: '123456789012', stackName: 'Crm' };
  const r = createResolver(stack, env);

  it('resolves Ref of pseudo parameters and parameters', () => {
    expect(
      r.resolve({
        region: { Ref: 'AWS::Region' },
        account: { Ref: 'AWS::AccountId' },
        partition: { Ref: 'AWS::Partition' },
        suffix: { Ref: 'AWS::URLSuffix' },
        stack: { Ref: 'AWS::StackName' },
        bootstrap: { Ref: 'BootstrapVersion' },
        stage: { Ref: 'Stage' },
      }),
    ).toEqual({
      region: 'eu-west-1',
      account: '123456789012',
      partition: 'aws',
      suffix: 'amazonaws.com',
      stack: 'Crm',
      bootstrap: '/cdk-bootstrap/hnb659fds/version',
      stage: 'dev',
    });
    expect(createResolver(stack, { ...env, parameters: { Stage: 'prod' } }).resolve({ Ref: 'Stage' })).toBe('prod');
    expect(() => r.resolve({ Ref: 'NoDefault' })).toThrow(/NoDefault/);
    expect(() => r.resolve({ Ref: 'Nope' })).toThrow(/'Nope'/);
  });

  it('drops keys and elements that resolve to AWS::NoValue', () => {
    expect(r.resolve({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [1, { Ref: 'AWS::NoValue' }, 2] })).toEqual({ a: 1, c: [1, 2] });
    expect(r.resolve({ Ref: 'AWS::NoValue' })).toBeUndefined();
  });

  it('gives resources physical ids: explicit names, else <stackName>-<logicalId>', () => {
    expect(r.resolve({ Ref: 'Table' })).toBe('Crm-Table');
    expect(r.resolve({ Ref: 'NamedTable' })).toBe('crm-records');
    expect(r.resolve({ Ref: 'Fn' })).toBe('Crm-api');
    expect(r.resolve({ Ref: 'Role' })).toBe('Crm-Role');
    expect(r.resolve({ Ref: 'Bus' })).toBe('tradeflow');
    expect(r.resolve({ Ref: 'Bucket' })).toBe('Crm-Bucket');
    expect(r.resolve({ Ref: 'Queue' })).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/jobs');
    expect(r.resolve({ Ref: 'Topic' })).toBe('arn:aws:sns:eu-west-1:123456789012:Crm-Topic');
    expect(r.resolve({ Ref: 'Machine' })).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:Approval');
    expect(r.nameOf('Pool')).toBe('people');
    expect(r.nameOf('Api')).toBe('http');
  });

  it('derives stable AWS-shaped ids for user pools, clients and HTTP APIs', () => {
    const poolId = r.physicalId('Pool');
    expect(poolId).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);
    expect(createResolver(stack, env).physicalId('Pool')).toBe(poolId);
    expect(createResolver(stack, { ...env, stackName: 'Other' }).physicalId('Pool')).not.toBe(poolId);
    expect(r.resolve({ Ref: 'Client' })).toMatch(/^[a-z0-9]{26}$/);
    expect(r.resolve({ Ref: 'Api' })).toMatch(/^[a-z0-9]{10}$/);
    expect(r.resolve(template.Resources!.Client!.Properties)).toEqual({ UserPoolId: poolId });
  });

  it('resolves Fn::GetAtt ARNs in AWS formats', () => {
    const arn = (id: string) => r.resolve({ 'Fn::GetAtt': [id, 'Arn'] });
    const prefix = (service: string) => `arn:aws:${service}:eu-west-1:123456789012`;
    expect(arn('Fn')).toBe(`${prefix('lambda')}:function:Crm-api`);
    expect(arn('Table')).toBe(`${prefix('dynamodb')}:table/Crm-Table`);
    expect(arn('NamedTable')).toBe(`${prefix('dynamodb')}:table/crm-records`);
    expect(arn('Role')).toBe('arn:aws:iam::123456789012:role/Crm-Role');
    expect(arn('Queue')).toBe(`${prefix('sqs')}:jobs`);
    expect(arn('Topic')).toBe(`${prefix('sns')}:Crm-Topic`);
    expect(arn('Machine')).toBe(`${prefix('states')}:stateMachine:Approval`);
    expect(arn('Bus')).toBe(`${prefix('events')}:event-bus/tradeflow`);
    expect(arn('Rule')).toBe(`${prefix('events')}:rule/tradeflow/Crm-Rule`);
    expect(arn('Pool')).toBe(`${prefix('cognito-idp')}:userpool/${r.physicalId('Pool')}`);
    expect(arn('Logs')).toBe(`${prefix('logs')}:log-group:/tradeflow/app:*`);
    expect(r.arnOf('Fn')).toBe(arn('Fn'));
    expect(r.resolve({ 'Fn::GetAtt': 'Table.Arn' })).toBe(arn('Table'));
  });

  it('resolves the other Fn::GetAtt attributes and names unsupported ones', () => {
    const att = (id: string, name: string) => r.resolve({ 'Fn::GetAtt': [id, name] });
    const streamArn = `arn:aws:dynamodb:eu-west-1:123456789012:table/Crm-Table/stream/${LOCAL_STREAM_LABEL}`;
    expect(att('Table', 'StreamArn')).toBe(streamArn);
    expect(att('Table', 'LatestStreamArn')).toBe(streamArn);
    const poolId = r.physicalId('Pool');
    expect(att('Pool', 'ProviderName')).toBe(`cognito-idp.eu-west-1.amazonaws.com/${poolId}`);
    expect(att('Pool', 'ProviderURL')).toBe(`https://cognito-idp.eu-west-1.amazonaws.com/${poolId}`);
    expect(att('Queue', 'QueueUrl')).toBe(r.physicalId('Queue'));
    expect(att('Queue', 'QueueName')).toBe('jobs');
    expect(att('Machine', 'Name')).toBe('Approval');
    expect(att('Bus', 'Name')).toBe('tradeflow');
    expect(att('Api', 'ApiEndpoint')).toBe(`https://${r.physicalId('Api')}.execute-api.eu-west-1.amazonaws.com`);
    expect(() => att('Table', 'Nope')).toThrow(/'Nope'.*'Table'.*AWS::DynamoDB::GlobalTable/);
    expect(() => att('Bucket', 'Arn')).toThrow(/'Arn'.*'Bucket'/);
    expect(() => att('Missing', 'Arn')).toThrow(/Unknown resource 'Missing'/);
  });

  it('resolves Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::Base64 and Fn::FindInMap', () => {
    expect(r.resolve({ 'Fn::Join': [':', ['a', { Ref: 'AWS::Region' }, 3]] })).toBe('a:eu-west-1:3');
    expect(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'x/y/z'] }] })).toBe('y');
    expect(r.resolve({ 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] })).toBe('eu-west-1a');
    expect(r.resolve({ 'Fn::GetAZs': 'us-east-1' })).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(r.resolve({ 'Fn::Base64': { 'Fn::Join': ['', ['he', 'llo']] } })).toBe('aGVsbG8=');
    expect(r.resolve({ 'Fn::FindInMap': ['Memory', { Ref: 'Stage' }, 'Size'] })).toBe(256);
    expect(() => r.resolve({ 'Fn::Select': [5, ['a']] })).toThrow(/out of range/);
    expect(() => r.resolve({ 'Fn::ImportValue': 'x' })).toThrow(/Fn::ImportValue is not supported/);
  });

  it('resolves both forms of Fn::Sub', () => {
    expect(r.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Table}/${Table.Arn}/${!Literal}' })).toBe(
      `arn:aws:x:eu-west-1:Crm-Table/${r.arnOf('Table')}/\${Literal}`,
    );
    expect(r.resolve({ 'Fn::Sub': ['${Name}-${Stage}-${Fn}', { Name: { 'Fn::GetAtt': ['Machine', 'Name'] } }] })).toBe(
      'Approval-dev-Crm-api',
    );
  });

  it('evaluates conditions for Fn::If', () => {
    const pick = (condition: string) => r.resolve({ 'Fn::If': [condition, 'yes', 'no'] });
    expect(pick('IsProd')).toBe('no');
    expect(pick('IsNotProd')).toBe('yes');
    expect(pick('DevInIreland')).toBe('yes');
    expect(pick('ProdOrIreland')).toBe('yes');
    expect(createResolver(stack, { ...env, region: 'us-east-1' }).resolve({ 'Fn::If': ['ProdOrIreland', 1, 2] })).toBe(2);
    expect(r.resolve({ Memory: { 'Fn::If': ['IsProd', 1024, { Ref: 'AWS::NoValue' }] } })).toEqual({});
    expect(() => pick('Nope')).toThrow(/Unknown condition 'Nope'/);
  });
});
