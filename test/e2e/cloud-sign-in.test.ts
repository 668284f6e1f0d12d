import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, startConsoleWorld, visited } from './support/console';

/**
 * Signing in to the console as deployed in the cloud: the user pool's email and password, then, because
 * the pool requires an authenticator app, enrolling one on the first sign-in. The console is the real
 * build; its config.json says "cognito", and the browser's calls to the pool's endpoint are answered by
 * a stand-in that takes the password's SRP proof unchecked (the real check is Cognito's) and hands out
 * a token the local API accepts. The local site's CSP admits only its own origin, so the browser skips
 * it here; the cloud's CSP (which admits Cognito) is checked by the infra tests.
 */
let world: Awaited<ReturnType<typeof startConsoleWorld>>;
beforeAll(async () => { world = await startConsoleWorld(); });
afterAll(async () => world?.stop());

describe('cloud sign-in', () => {
  it('a new user signs in with email and password, adds the key to an authenticator app, verifies a code and is in', async () => {
    const idToken = await world.crm.runtime.tokenFor('u-sales');
    const person = await openConsole(world.browser, world.crm.runtime.apiUrl, { bypassCsp: true });
    const { page } = person;
    await page.route('**/app/config.json', (route) => route.fulfill({
      json: { mode: 'cognito', apiUrl: world.crm.runtime.apiUrl, region: 'eu-central-1', userPoolId: 'eu-central-1_Example', clientId: 'console-client' },
    }));
    const asked: { target: string; body: any }[] = [];
    const answer = (route: Route, body: unknown) => route.fulfill({ status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(body) });
    await page.route('https://cognito-idp.eu-central-1.amazonaws.com/**', async (route) => {
      const target = String(route.request().headers()['x-amz-target']).replace('AWSCognitoIdentityProviderService.', '');
      const body = route.request().postDataJSON();
      asked.push({ target, body });
      if (target === 'InitiateAuth') {
        return answer(route, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: { USER_ID_FOR_SRP: 'sam', SRP_B: 'ab'.repeat(128), SALT: '0123456789abcdef', SECRET_BLOCK: btoa('secret block') } });
      }
      if (target === 'RespondToAuthChallenge' && body.ChallengeName === 'PASSWORD_VERIFIER') return answer(route, { ChallengeName: 'MFA_SETUP', Session: 'after-password', ChallengeParameters: {} });
      if (target === 'AssociateSoftwareToken') return answer(route, { SecretCode: 'JBSWY3DPEHPK3PXP', Session: 'associated' });
      if (target === 'VerifySoftwareToken') return answer(route, { Status: 'SUCCESS', Session: 'verified' });
      if (target === 'RespondToAuthChallenge' && body.ChallengeName === 'MFA_SETUP') {
        return answer(route, { AuthenticationResult: { IdToken: idToken, AccessToken: idToken, RefreshToken: 'refresh', ExpiresIn: 3600, TokenType: 'Bearer' } });
      }
      return route.fulfill({ status: 400, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'InvalidParameterException', message: `unexpected ${target}` }) });
    });

    await page.goto('/app/');
    await visited(person, 'Sign in to Tradeflow');
    await page.getByLabel('Email').fill('sales@tradeflow.example');
    await page.getByLabel('Password').fill('Correct-Horse-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // the pool asks for an authenticator: the key is shown to add to the app, in groups of four
    await page.getByLabel('Key for your authenticator app').getByText('JBSW Y3DP EHPK 3PXP').waitFor();
    expect(await page.getByRole('link', { name: 'open it in the app' }).getAttribute('href'))
      .toBe('otpauth://totp/Tradeflow%3Asales%40tradeflow.example?secret=JBSWY3DPEHPK3PXP&issuer=Tradeflow');
    await person.checkAccessibility();
    await page.getByLabel('Code from your authenticator app').fill('123 456');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();

    await visited(person, 'Hello, Sam Sales');
    expect(asked.find((a) => a.target === 'VerifySoftwareToken')?.body).toMatchObject({ Session: 'associated', UserCode: '123456' });
    expect(JSON.stringify(asked)).not.toContain('Correct-Horse-1!');
    expect(person.violations).toEqual([]);
    await person.close();
  });
});
