import { describe, expect, it } from 'vitest';
import { apiFunctionIds, sdkImportsOf, sourceOf, type Template } from '../../bench/assembly';
import { idCandidates, listPathFor, recordReads, viewReads } from '../../bench/reads';
import { ROUTES } from '../../schemas/api/routes';

describe('the foundation benchmark reads the template', () => {
  const template: Template = {
    Resources: {
      Records: { Type: 'AWS::Lambda::Function' },
      Docs: { Type: 'AWS::Lambda::Function' },
      Task: { Type: 'AWS::Lambda::Function' },
      Role: { Type: 'AWS::IAM::Role' },
      RecordsIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationUri: { 'Fn::GetAtt': ['Records', 'Arn'] } } },
      DocsIntegration: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: { IntegrationUri: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':', { 'Fn::GetAtt': ['Docs', 'Arn'] }]] } },
      },
      RoleIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationUri: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
    },
  };

  it('counts as API functions the functions that integrations name, however deep', () => {
    expect([...apiFunctionIds(template)].sort()).toEqual(['Docs', 'Records']);
  });

  it('finds the source of a function by its logical id, in both layouts', () => {
    const sources = ['records/api', 'accounts/get-account', 'nurture/run-step', 'platform/http'];
    expect(sourceOf('HttpApirecordsFunctionF5FB5887', sources)).toBe('records/api');
    expect(sourceOf('HttpaccountsgetaccountFunction032B891D', sources)).toBe('accounts/get-account');
    expect(sourceOf('NurtureRunStepFunctionC4DCBA5E', sources)).toBe('nurture/run-step');
    expect(sourceOf('PublishRecordChangesFunctionE76A60BC', sources)).toBeUndefined();
  });

  it('reads the AWS SDK imports of a minified bundle', () => {
    const imports = sdkImportsOf('import{DynamoDBClient as a,GetItemCommand}from"@aws-sdk/client-dynamodb";import*as s from"@aws-sdk/client-sfn";await import("@aws-sdk/client-sesv2")');
    expect(Object.fromEntries([...imports].map(([pkg, names]) => [pkg, [...names]]))).toEqual({
      '@aws-sdk/client-dynamodb': ['DynamoDBClient', 'GetItemCommand'], '@aws-sdk/client-sfn': [], '@aws-sdk/client-sesv2': [],
    });
  });
});

describe('the reads the foundation benchmark counts', () => {
  const paths = (routes: { method: string; path: string }[]) => routes.map((r) => `${r.method} ${r.path}`);

  it('are the GET <list>/{id} of the catalogue whose list is a route too', () => {
    const reads = paths(recordReads(ROUTES));
    expect(reads).toContain('GET /accounts/{id}');
    expect(reads).toContain('GET /promotions/{id}');
    expect(reads).toContain('GET /nurture/sequences/{id}');
    expect(reads).not.toContain('GET /accounts/{id}/360');
    expect(reads).not.toContain('GET /nurture/leads/{id}'); // a lead's timeline: there is no GET /nurture/leads
    expect(reads).not.toContain('GET /approval-links/{token}'); // public
  });

  it('show the other GET routes with an id as views', () => {
    const views = paths(viewReads(ROUTES));
    expect(views).toContain('GET /accounts/{id}/360');
    expect(views).toContain('GET /nurture/leads/{id}');
    expect(views.filter((v) => paths(recordReads(ROUTES)).includes(v))).toEqual([]);
  });

  it('take their ids from the list at their path, else the list their last segment names', () => {
    const route = (path: string) => ({ method: 'GET' as const, path, auth: 'jwt' as const });
    expect(listPathFor(route('/accounts/{id}/360'), ROUTES)).toBe('/accounts');
    expect(listPathFor(route('/nurture/leads/{id}'), ROUTES)).toBe('/leads');
    expect(listPathFor(route('/nowhere/{id}'), ROUTES)).toBeUndefined();
    expect(idCandidates({ ownerId: 'u-1', name: 'x', id: 'a-1', policyId: 'p' })).toEqual(['a-1', 'u-1', 'p']);
  });
});
