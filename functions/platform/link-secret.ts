import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { requiredEnv } from './env';

/**
 * The secret that signs links in mail (approval decisions, unsubscribes): Secrets Manager's
 * `tradeflow/links`, generated at deploy, named by LINK_SECRET_ID. Cached for five minutes; during a
 * rotation the secret may hold several values, one per line, the newest first (signed-links verifies
 * with any, signs with the first).
 */
export async function linkSecrets(): Promise<string[]> {
  const id = requiredEnv('LINK_SECRET_ID');
  const secret = await getSecret(id, { maxAge: 300 });
  if (typeof secret !== 'string' || secret.length === 0) throw new Error(`the link secret ${id} is empty`);
  return secret.split('\n').map((line) => line.trim()).filter(Boolean);
}
