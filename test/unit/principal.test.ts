import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { principalFrom } from '../../functions/platform/principal';

const eventWith = (claims: Record<string, unknown>) =>
  ({ requestContext: { authorizer: { jwt: { claims, scopes: null } } } }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('the caller from verified token claims', () => {
  it('reads roles in the flattened form API Gateway passes ("[a b]") and as an array', () => {
    const base = { 'cognito:username': 'u-1', 'custom:departmentId': 'd-1' };
    expect(principalFrom(eventWith({ ...base, 'cognito:groups': '[sales marketing]' })).roles).toEqual(['sales', 'marketing']);
    expect(principalFrom(eventWith({ ...base, 'cognito:groups': ['finance'] })).roles).toEqual(['finance']);
  });

  it('ignores groups that are not roles and refuses a token with none', () => {
    const base = { sub: 'u-1', 'custom:departmentId': 'd-1' };
    expect(principalFrom(eventWith({ ...base, 'cognito:groups': '[beta-testers admin]' })).roles).toEqual(['admin']);
    expect(() => principalFrom(eventWith({ ...base, 'cognito:groups': '[beta-testers]' }))).toThrow(/no role/);
    expect(() => principalFrom(eventWith({ sub: 'u-1', 'cognito:groups': '[admin]' }))).toThrow(/no department/);
  });
});
