import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';

/**
 * Cloud sign-in: the user pool's SRP exchange (the password never leaves the browser), answering the
 * ID token the API's JWT authorizer takes. A first sign-in with a temporary password asks for a new one.
 * Loaded only on the sign-in page of a cloud deployment.
 */
export interface CognitoSettings { userPoolId: string; clientId: string; endpoint?: string }

export type SignInResult =
  | { kind: 'signed-in'; idToken: string }
  | { kind: 'new-password-required'; complete: (newPassword: string) => Promise<SignInResult> };

export class SignInError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const MESSAGES: Record<string, string> = {
  NotAuthorizedException: 'The email or password is wrong.',
  UserNotFoundException: 'The email or password is wrong.',
  UserNotConfirmedException: 'This account is not confirmed yet: ask an administrator.',
  PasswordResetRequiredException: 'Your password must be reset: ask an administrator.',
  InvalidPasswordException: 'The new password does not meet the pool\'s rules.',
};

export function signInWithCognito(settings: CognitoSettings, username: string, password: string): Promise<SignInResult> {
  const pool = new CognitoUserPool({ UserPoolId: settings.userPoolId, ClientId: settings.clientId, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) });
  const user = new CognitoUser({ Username: username, Pool: pool, Storage: new MemoryStorage() });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session: CognitoUserSession) => resolve({ kind: 'signed-in', idToken: session.getIdToken().getJwtToken() }),
      onFailure: (error: { code?: string; name?: string; message?: string }) => {
        const code = error.code ?? error.name ?? 'Error';
        reject(new SignInError(code, MESSAGES[code] ?? error.message ?? 'Sign-in failed.'));
      },
      newPasswordRequired: () => resolve({
        kind: 'new-password-required',
        complete: (newPassword: string) => new Promise<SignInResult>((done, fail) => {
          user.completeNewPasswordChallenge(newPassword, {}, {
            onSuccess: (session: CognitoUserSession) => done({ kind: 'signed-in', idToken: session.getIdToken().getJwtToken() }),
            onFailure: (error: { code?: string; message?: string }) =>
              fail(new SignInError(error.code ?? 'Error', MESSAGES[error.code ?? ''] ?? error.message ?? 'Sign-in failed.')),
          });
        }),
      }),
    };
    user.authenticateUser(details, callbacks);
  });
}

/** The library's token cache, kept in memory: the console keeps only the ID token, in its own session. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  setItem(key: string, value: string) { this.items.set(key, value); return value; }
  getItem(key: string) { return this.items.get(key) ?? null; }
  removeItem(key: string) { return this.items.delete(key); }
  clear() { this.items.clear(); return {}; }
}
