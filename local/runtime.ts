import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCloudAssembly } from './assembly/cloud-assembly';
import { createResolver } from './assembly/intrinsics';
import { createLocalIssuer } from './auth/local-issuer';
import { createTablesFromTemplate } from './dynamodb/create-tables';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local';
import { dynamoDbProxyService, startEdge, type EdgeService } from './edge/edge-server';
import { startHttpApi } from './http-api/http-api-server';
import { createFunctionRuntime } from './lambda/function-runtime';
import { DEFAULT_CDK_OUT } from './synth';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalRuntimeOptions {
  cdkOut?: string;
  /** where tables, keys and logs persist; undefined keeps everything in memory and a temp folder */
  dataDir?: string;
  /** 0 picks a free port */
  ports?: { api?: number; edge?: number; dynamodb?: number };
  log?: (line: string) => void;
}

export interface LocalRuntime {
  apiUrl: string;
  edgeUrl: string;
  dynamoDbEndpoint: string;
  tableName: string;
  /** an ID token for a demo user, by id or role (what GET /_local/token answers) */
  tokenFor(userIdOrRole: string): Promise<string>;
  /** DynamoDB requests that went through the edge, by operation */
  edgeRequestCounts(): Record<string, number>;
  stop(): Promise<void>;
}

/** Counts DynamoDB requests by operation on their way through the edge (the benchmarks read them). */
function countingService(inner: EdgeService, counts: Map<string, number>): EdgeService {
  return {
    name: inner.name,
    matches: (req) => inner.matches(req),
    handle(req, res, body) {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return inner.handle(req, res, body);
    },
  };
}

/**
 * Brings up, from the cloud assembly alone, what its template declares: DynamoDB Local with the tables,
 * the AWS edge, every function in its own worker, the HTTP API with its JWT authorizer. Nothing here
 * names a table, route or function of ours: they all come from cdk.out.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const assembly = loadCloudAssembly(options.cdkOut ?? DEFAULT_CDK_OUT);
    const stack = assembly.stacks[0];
    if (!stack) throw new Error(`no stack in ${options.cdkOut ?? DEFAULT_CDK_OUT}`);
    const resolver = createResolver(stack, { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT, stackName: stack.stackName });
    const scratch = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'tradeflow-'));
    if (!options.dataDir) stops.push(async () => rmSync(scratch, { recursive: true, force: true }));
    mkdirSync(scratch, { recursive: true });

    log('starting DynamoDB Local (Java)...');
    const dynamodb = await startDynamoDbLocal({
      port: options.ports?.dynamodb ?? 8000,
      ...(options.dataDir ? { dataDir: path.join(options.dataDir, 'dynamodb') } : {}),
    });
    stops.push(() => dynamodb.stop());

    const edge = await startEdge({ port: options.ports?.edge ?? 4566 });
    stops.push(() => edge.stop());
    const counts = new Map<string, number>();
    edge.register(countingService(dynamoDbProxyService(dynamodb.endpoint), counts));

    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => client.destroy());
    const tables = await createTablesFromTemplate(client, stack.resources, resolver.resolve, log);
    await client.send(new ListTablesCommand({}));
    log(`tables ready: ${tables.map((t) => t.tableName).join(', ')}`);

    const functions = createFunctionRuntime({
      stack, resolver, edgeUrl: edge.url, region: LOCAL_REGION, logDir: path.join(scratch, 'logs'),
    });
    stops.push(() => functions.stop());
    log(`${functions.functions().length} functions ready (each starts in its own worker on first call)`);

    const issuer = await createLocalIssuer({ keyFile: path.join(scratch, 'local-issuer-key.json') });
    const api = await startHttpApi({
      port: options.ports?.api ?? 3000,
      resources: stack.resources,
      resolve: resolver.resolve,
      invoke: (arn, event) => functions.invoke(arn, event),
      issuer,
      log: () => {},
    });
    stops.push(() => api.stop());

    const [table] = tables;
    if (!table) throw new Error('the template declares no table');
    return {
      apiUrl: api.url,
      edgeUrl: edge.url,
      dynamoDbEndpoint: dynamodb.endpoint,
      tableName: table.tableName,
      async tokenFor(userIdOrRole) {
        const response = await fetch(`${api.url}/_local/token?user=${encodeURIComponent(userIdOrRole)}&format=text`);
        if (!response.ok) throw new Error(`no token for ${userIdOrRole}: ${await response.text()}`);
        return response.text();
      },
      edgeRequestCounts: () => Object.fromEntries(counts),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
