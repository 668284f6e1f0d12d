import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import { awsError, awsJsonActionService } from '../edge/edge-server';

/**
 * The part of the Cognito user pool API the CRM calls (AdminDisableUser, AdminEnableUser,
 * AdminUserGlobalSignOut) for the template's pools, whose users are the demo users the local issuer
 * signs for. A disabled user gets no new token from the local issuer, as Cognito lets them sign in no
 * more; tokens already issued stay valid until they expire, as ID tokens do at API Gateway (the API
 * functions refuse them by the user record).
 * Which users are disabled is kept under the data folder.
 */
export function createUserPoolService(opts: { dataDir?: string; usernames: readonly string[] }) {
  const file = opts.dataDir ? path.join(opts.dataDir, 'user-pool.json') : undefined;
  const disabled = new Set<string>(file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { disabled: string[] }).disabled : []);
  const pools = new Set<string>();
  const save = () => {
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ disabled: [...disabled] }, null, 2));
  };
  const userOf = (input: Record<string, unknown>) => {
    if (!pools.has(String(input.UserPoolId))) throw awsError('ResourceNotFoundException', `User pool ${String(input.UserPoolId)} does not exist.`);
    const username = String(input.Username);
    if (!opts.usernames.includes(username)) throw awsError('UserNotFoundException', 'User does not exist.');
    return username;
  };

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    AdminDisableUser(input) {
      disabled.add(userOf(input));
      save();
      return {};
    },
    AdminEnableUser(input) {
      disabled.delete(userOf(input));
      save();
      return {};
    },
    // Cognito revokes the user's refresh tokens; the local issuer hands out none, so there is nothing to revoke
    AdminUserGlobalSignOut(input) {
      userOf(input);
      return {};
    },
  };

  const edgeService = awsJsonActionService({
    name: 'Cognito user pools', targetPrefix: 'AWSCognitoIdentityProviderService.', contentType: 'application/x-amz-json-1.1', actions,
  });

  return {
    edgeService,
    /** The template's user pools, by the id `Ref` gives them. */
    loadTemplate(resources: Record<string, TemplateResource>, resolver: Resolver) {
      for (const [logicalId, resource] of Object.entries(resources)) {
        if (resource.Type === 'AWS::Cognito::UserPool') pools.add(String(resolver.resolve({ Ref: logicalId })));
      }
    },
    /** Whether the user may sign in (get a token from the local issuer). */
    isEnabled: (username: string) => !disabled.has(username),
  };
}
export type LocalUserPool = ReturnType<typeof createUserPoolService>;
