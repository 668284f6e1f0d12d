import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import { awsError, awsJsonActionService } from '../edge/edge-server';

interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  createdAt: string;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = '!#$%&()*+,-./:;<=>?@[]^_`{|}~';

/** A value as GenerateSecretString describes it: its length and which characters it leaves out. */
function generate(spec: { PasswordLength?: number; ExcludePunctuation?: boolean; ExcludeCharacters?: string }): string {
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const alphabet = [...ALPHANUMERIC + (spec.ExcludePunctuation ? '' : PUNCTUATION)].filter((c) => !excluded.has(c));
  const length = spec.PasswordLength ?? 32;
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The part of Secrets Manager the CRM uses (GetSecretValue, DescribeSecret, ListSecrets,
 * PutSecretValue), with the template's secrets. Generated values are made once and kept under the data
 * folder, so a system's signing secret survives restarts.
 */
export function createSecretsManagerService(opts: { dataDir?: string }) {
  const file = opts.dataDir ? path.join(opts.dataDir, 'secrets.json') : undefined;
  const secrets = new Map<string, StoredSecret>(
    file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredSecret[]).map((s) => [s.name, s]) : [],
  );
  const save = () => {
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify([...secrets.values()], null, 2), { mode: 0o600 });
  };
  // a secret is named by its name, its full ARN, or its ARN without the random suffix
  const find = (id: string) =>
    secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id || id === s.arn.replace(/-[A-Za-z0-9]{6}$/, ''));

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue(input) {
      const secret = find(String(input.SecretId));
      if (!secret) throw awsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
      return { ARN: secret.arn, Name: secret.name, SecretString: secret.value, VersionId: 'local', VersionStages: ['AWSCURRENT'], CreatedDate: Date.parse(secret.createdAt) / 1000 };
    },
    DescribeSecret(input) {
      const secret = find(String(input.SecretId));
      if (!secret) throw awsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
      return { ARN: secret.arn, Name: secret.name, CreatedDate: Date.parse(secret.createdAt) / 1000 };
    },
    ListSecrets: () => ({ SecretList: [...secrets.values()].map((s) => ({ ARN: s.arn, Name: s.name })) }),
    PutSecretValue(input) {
      const secret = find(String(input.SecretId));
      if (!secret || typeof input.SecretString !== 'string') {
        throw awsError('InvalidParameterException', 'SecretId must name a secret and SecretString must be given');
      }
      secret.value = input.SecretString;
      save();
      return { ARN: secret.arn, Name: secret.name, VersionId: 'local' };
    },
  };

  const edgeService = awsJsonActionService({ name: 'Secrets Manager', targetPrefix: 'secretsmanager.', contentType: 'application/x-amz-json-1.1', actions });

  return {
    edgeService,
    /** Creates the template's secrets that do not exist yet (values generated once, then kept). */
    loadTemplate(resources: Record<string, TemplateResource>, resolver: Resolver) {
      for (const [logicalId, resource] of Object.entries(resources)) {
        if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
        const name = resolver.nameOf(logicalId);
        if (secrets.has(name)) continue;
        const props = (resolver.resolve(resource.Properties ?? {}) ?? {}) as { SecretString?: string; GenerateSecretString?: Parameters<typeof generate>[0] };
        const value = props.SecretString ?? generate(props.GenerateSecretString ?? {});
        secrets.set(name, { name, arn: resolver.arnOf(logicalId), value, createdAt: new Date().toISOString() });
      }
      save();
    },
    names: () => [...secrets.keys()],
  };
}
