import './quiet-sdk-warning';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SIGNATURE_HEADERS, signatureOf } from '../functions/events/inbound-events';
import { INBOUND_SYSTEM_NAMES, type InboundSystem } from '../schemas/events';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './runtime';

/**
 * `npm run send-event -- <system> <detail-type> '<detail JSON>'`: sends one catalogue event to the
 * running product's `POST /events` as that system would, signed with the system's secret from the
 * local Secrets Manager and the real time (as every sender signs). `@file.json` reads the detail from a
 * file; `--key` sets the idempotency key (sending the same key and detail again is the sender's retry).
 */
const USAGE = `usage: npm run send-event -- <system> <detail-type> '<detail JSON>' | @detail.json [--key <idempotency-key>]
  systems: ${INBOUND_SYSTEM_NAMES.join(', ')}; event types and their fields: docs/events.md
  e.g.    npm run send-event -- web-forms Lead.Captured '{"formId":"webinar", ...}'`;

interface SendEventOptions {
  apiUrl: string;
  edgeUrl: string;
  system: InboundSystem;
  detailType: string;
  detail: unknown;
  idempotencyKey?: string;
}

async function sendSignedEvent(options: SendEventOptions): Promise<{ status: number; body: unknown; idempotencyKey: string }> {
  const secrets = new SecretsManagerClient({ endpoint: options.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  let secret: string | undefined;
  try {
    secret = (await secrets.send(new GetSecretValueCommand({ SecretId: `tradeflow/inbound/${options.system}` }))).SecretString;
  } finally {
    secrets.destroy();
  }
  if (!secret) throw new Error(`the local Secrets Manager has no secret for ${options.system}`);
  const body = JSON.stringify({ detailType: options.detailType, detail: options.detail });
  const idempotencyKey = options.idempotencyKey ?? `manual-${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${options.apiUrl}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADERS.system]: options.system,
      [SIGNATURE_HEADERS.timestamp]: timestamp,
      [SIGNATURE_HEADERS.signature]: signatureOf(secret, timestamp, idempotencyKey, body),
      [SIGNATURE_HEADERS.idempotencyKey]: idempotencyKey,
    },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: shown as it came
  }
  return { status: response.status, body: parsed, idempotencyKey };
}

function detailFrom(argument: string): unknown {
  const text = argument.startsWith('@') ? readFileSync(argument.slice(1), 'utf8') : argument;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the detail is not JSON (${(error as Error).message}); quote it in single quotes, or pass @file.json`, { cause: error });
  }
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { key: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [system, detailType, detail] = positionals;
  if (values.help || !system || !detailType || detail === undefined || positionals.length > 3) throw new Error(USAGE);
  if (!(INBOUND_SYSTEM_NAMES as string[]).includes(system)) throw new Error(`${system} is not a system that sends events (${INBOUND_SYSTEM_NAMES.join(', ')})\n${USAGE}`);
  const host = '127.0.0.1';
  const result = await sendSignedEvent({
    apiUrl: `http://${host}:${process.env.TRADEFLOW_API_PORT ?? 3000}`,
    edgeUrl: `http://${host}:${process.env.TRADEFLOW_EDGE_PORT ?? 4566}`,
    system: system as InboundSystem,
    detailType,
    detail: detailFrom(detail),
    ...(values.key ? { idempotencyKey: values.key } : {}),
  });
  console.log(`${result.status} (idempotency-key ${result.idempotencyKey})`);
  console.log(JSON.stringify(result.body, null, 2));
  if (result.status >= 300) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error.message === 'fetch failed' ? 'Tradeflow does not answer here: is npm start running (and on these ports)?' : error.message);
  process.exit(1);
});
