import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';

/**
 * Cloud sign-in: the user pool's SRP exchange (the password never leaves the browser), answering the
 * ID token the API's JWT authorizer takes. A first sign-in with a temporary password asks for a new one;
 * the pool requires an authenticator app (TOTP): a first sign-in enrols one (its key shown to add to the
 * app, then one code to verify it), later ones ask for its code. Loaded only on the sign-in page of a
 * cloud deployment.
 */
export interface CognitoSettings { userPoolId: string; clientId: string; endpoint?: string }

export type SignInResult =
  | { kind: 'signed-in'; idToken: string }
  | { kind: 'new-password-required'; complete: (newPassword: string) => Promise<SignInResult> }
  /** enrol an authenticator app: add `secret` to it (or open `otpauthUri`), then send one code it shows */
  | { kind: 'authenticator-setup'; secret: string; otpauthUri: string; complete: (code: string) => Promise<SignInResult> }
  | { kind: 'code-required'; complete: (code: string) => Promise<SignInResult> };

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
  CodeMismatchException: 'That code is not the one your authenticator app shows now: try the next one.',
  EnableSoftwareTokenMFAException: 'That code is not the one your authenticator app shows now: try the next one.',
  ExpiredCodeException: 'That code was used already or has expired: wait for the next one.',
};

const failure = (error: { code?: string; name?: string; message?: string }) => {
  const code = error.code ?? error.name ?? 'Error';
  return new SignInError(code, MESSAGES[code] ?? error.message ?? 'Sign-in failed.');
};

/** The app's name for the key in the authenticator app. */
const ISSUER = 'Tradeflow';

export function signInWithCognito(settings: CognitoSettings, username: string, password: string): Promise<SignInResult> {
  const pool = new CognitoUserPool({ UserPoolId: settings.userPoolId, ClientId: settings.clientId, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) });
  const user = new CognitoUser({ Username: username, Pool: pool, Storage: new MemoryStorage() });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  // every step of the exchange answers through the same callbacks: each resolves the step's own promise
  const step = (run: (callbacks: ReturnType<typeof callbacksFor>) => void) =>
    new Promise<SignInResult>((resolve, reject) => run(callbacksFor(resolve, reject)));
  const callbacksFor = (resolve: (result: SignInResult) => void, reject: (error: unknown) => void) => {
    const callbacks = {
      onSuccess: (session: CognitoUserSession) => resolve({ kind: 'signed-in', idToken: session.getIdToken().getJwtToken() }),
      onFailure: (error: { code?: string; name?: string; message?: string }) => reject(failure(error)),
      newPasswordRequired: () => resolve({
        kind: 'new-password-required',
        complete: (newPassword: string) => step((next) => user.completeNewPasswordChallenge(newPassword, {}, next)),
      }),
      totpRequired: () => resolve({
        kind: 'code-required',
        complete: (code: string) => step((next) => user.sendMFACode(code, next, 'SOFTWARE_TOKEN_MFA')),
      }),
      mfaSetup: () => user.associateSoftwareToken({
        associateSecretCode: (secret: string) => resolve({
          kind: 'authenticator-setup',
          secret,
          otpauthUri: `otpauth://totp/${encodeURIComponent(`${ISSUER}:${username}`)}?secret=${secret}&issuer=${ISSUER}`,
          complete: (code: string) => step((next) => user.verifySoftwareToken(code, `${ISSUER} console`, next)),
        }),
        onFailure: callbacks.onFailure,
      }),
    };
    return callbacks;
  };
  return step((callbacks) => user.authenticateUser(details, callbacks));
}

/** The library's token cache, kept in memory: the console keeps only the ID token, in its own session. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  setItem(key: string, value: string) { this.items.set(key, value); return value; }
  getItem(key: string) { return this.items.get(key) ?? null; }
  removeItem(key: string) { return this.items.delete(key); }
  clear() { this.items.clear(); return {}; }
}
