import {
  AdminDisableUserCommand, AdminEnableUserCommand, AdminUserGlobalSignOutCommand, CognitoIdentityProviderClient, UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applySignIn } from '../../functions/records/user-sign-in';

const cognito = mockClient(CognitoIdentityProviderClient);
beforeAll(() => { process.env.USER_POOL_ID = 'eu-west-1_pool'; });
afterEach(() => cognito.reset());

const target = { UserPoolId: 'eu-west-1_pool', Username: 'u-sales' };

describe("a user's sign-in in the user pool", () => {
  it('is disabled, and every session signed out, when the user may no longer sign in', async () => {
    cognito.onAnyCommand().resolves({});
    await applySignIn('u-sales', false);
    expect(cognito.calls().map((call) => call.args[0].constructor.name)).toEqual(['AdminDisableUserCommand', 'AdminUserGlobalSignOutCommand']);
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]!.args[0].input).toEqual(target);
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)[0]!.args[0].input).toEqual(target);
  });

  it('is enabled again when the user is active again', async () => {
    cognito.onAnyCommand().resolves({});
    await applySignIn('u-sales', true);
    expect(cognito.commandCalls(AdminEnableUserCommand).map((call) => call.args[0].input)).toEqual([target]);
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(0);
  });

  it('has nothing to change for a user record with no user in the pool, and passes on any other failure', async () => {
    cognito.on(AdminDisableUserCommand).rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    await expect(applySignIn('u-new', false)).resolves.toBeUndefined();
    cognito.on(AdminEnableUserCommand).rejects(new Error('throttled'));
    await expect(applySignIn('u-sales', true)).rejects.toThrow('throttled');
  });
});
