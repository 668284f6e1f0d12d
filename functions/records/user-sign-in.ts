import {
  AdminDisableUserCommand, AdminEnableUserCommand, AdminUserGlobalSignOutCommand, CognitoIdentityProviderClient, UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { lazy } from '../../schemas/lazy';
import { requiredEnv } from '../platform/env';
import { forgetPrincipal } from '../platform/principal';
import { sdkClient } from '../platform/sdk-clients';

/*
 * A user's sign-in follows their user record. The record is what every API function checks (see
 * platform/principal.ts); the user pool is told too, so that an inactive or deleted user cannot sign in
 * again and their refresh tokens stop working at once (AdminUserGlobalSignOut). An ID token already
 * issued stays valid at the gateway until it expires; the record check refuses it meanwhile.
 *
 * The pool is the user pool of USER_POOL_ID, whose usernames are the user records' ids. Locally the
 * edge answers these calls for the local issuer, which then signs no tokens for a disabled user.
 */

const cognito = lazy(() => sdkClient(new CognitoIdentityProviderClient({})));

/**
 * Active: may sign in. Inactive or deleted: disabled in the pool and signed out everywhere. A user
 * record with no user in the pool (not invited yet) has no sign-in to change.
 */
export async function applySignIn(userId: string, allowed: boolean): Promise<void> {
  forgetPrincipal(userId);
  const target = { UserPoolId: requiredEnv('USER_POOL_ID'), Username: userId };
  try {
    if (allowed) {
      await cognito().send(new AdminEnableUserCommand(target));
      return;
    }
    await cognito().send(new AdminDisableUserCommand(target));
    await cognito().send(new AdminUserGlobalSignOutCommand(target));
  } catch (error) {
    if (!(error instanceof UserNotFoundException)) throw error;
  }
}
