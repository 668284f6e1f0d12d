import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { forgetPrincipal, PRINCIPAL_CACHE_SECONDS, resolvePrincipal } from '../../functions/platform/principal';

const dynamo = mockClient(DynamoDBDocumentClient);
beforeAll(() => { process.env.TABLE_NAME = 'crm'; });
afterEach(() => { dynamo.reset(); vi.useRealTimers(); });

// the token's claims say sales in d-north; the record is what counts
const tokenOf = (userId: string) => ({
  requestContext: { authorizer: { jwt: { claims: { 'cognito:username': userId, 'cognito:groups': '[admin]', 'custom:departmentId': 'd-token' }, scopes: null } } },
}) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
const userRecord = (id: string, extra: Record<string, unknown> = {}) =>
  ({ pk: `USER#${id}`, sk: 'RECORD', id, roles: ['sales'], departmentId: 'd-north', status: 'active', email: `${id}@example.com`, ...extra });
let serial = 0;
const freshUser = () => `u-${serial++}`;

describe('the caller, from their user record', () => {
  it("takes roles, department and mail from the record, not from the token's claims", async () => {
    const id = freshUser();
    dynamo.on(GetCommand).resolves({ Item: userRecord(id) });
    await expect(resolvePrincipal(tokenOf(id))).resolves.toEqual({ userId: id, roles: ['sales'], departmentId: 'd-north', email: `${id}@example.com` });
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ Key: { pk: `USER#${id}`, sk: 'RECORD' }, ConsistentRead: true });
  });

  it('refuses a user the CRM does not have (401) or has deleted (401), and an inactive one (403)', async () => {
    const [missing, deleted, inactive] = [freshUser(), freshUser(), freshUser()];
    dynamo.on(GetCommand, { Key: { pk: `USER#${missing}`, sk: 'RECORD' } }).resolves({})
      .on(GetCommand, { Key: { pk: `USER#${deleted}`, sk: 'RECORD' } }).resolves({ Item: userRecord(deleted, { deletedAt: '2026-12-01T00:00:00Z' }) })
      .on(GetCommand, { Key: { pk: `USER#${inactive}`, sk: 'RECORD' } }).resolves({ Item: userRecord(inactive, { status: 'inactive' }) });
    await expect(resolvePrincipal(tokenOf(missing))).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining(missing) });
    await expect(resolvePrincipal(tokenOf(deleted))).rejects.toMatchObject({ kind: 'unauthenticated', message: expect.stringContaining('deleted') });
    await expect(resolvePrincipal(tokenOf(inactive))).rejects.toMatchObject({ kind: 'forbidden', message: expect.stringContaining('inactive') });
  });

  it('reads a user once per cache period, again once it has passed or the user was forgotten', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const id = freshUser();
    dynamo.on(GetCommand).resolves({ Item: userRecord(id) });
    await resolvePrincipal(tokenOf(id));
    await resolvePrincipal(tokenOf(id));
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);

    dynamo.on(GetCommand).resolves({ Item: userRecord(id, { status: 'inactive' }) });
    vi.advanceTimersByTime(PRINCIPAL_CACHE_SECONDS * 1000 - 1);
    await expect(resolvePrincipal(tokenOf(id))).resolves.toMatchObject({ userId: id });
    vi.advanceTimersByTime(1);
    await expect(resolvePrincipal(tokenOf(id))).rejects.toMatchObject({ kind: 'forbidden' });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(2);

    dynamo.on(GetCommand).resolves({ Item: userRecord(id) });
    forgetPrincipal(id);
    await expect(resolvePrincipal(tokenOf(id))).resolves.toMatchObject({ userId: id });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(3);
  });

  it('refuses a token that names no user', async () => {
    const event = { requestContext: { authorizer: { jwt: { claims: {}, scopes: null } } } } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
    await expect(resolvePrincipal(event)).rejects.toMatchObject({ kind: 'unauthenticated' });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });
});
