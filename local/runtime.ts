import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadCloudAssembly } from './assembly/cloud-assembly';
import { createResolver } from './assembly/cfn-intrinsics';
import { createLocalIssuer } from './http-api/local-issuer';
import { DEMO_USERS, type DemoUser } from './seed/demo-users';
import { createUserPoolService } from './cognito/user-pool-service';
import { createLocalClock, type LocalClock } from './clock';
import { createTablesFromTemplate } from './dynamodb/create-tables';
import { startStreamPoller } from './dynamodb/streams/stream-poller';
import { startTtlSweeper } from './dynamodb/ttl-sweeper';
import { createEventBridgeService } from './eventbridge/eventbridge-service';
import { inProcessLambdaClient, lambdaInvokeService } from './lambda/lambda-invoke-service';
import { createSecretsManagerService } from './secretsmanager/secrets-manager-service';
import { createSesService } from './ses/ses-service';
import { createSqsService } from './sqs/sqs-service';
import { clockService, createStepFunctionsService, stateMachinesFromTemplate } from './stepfunctions';
import { startDynamoDbLocal } from './dynamodb/dynamodb-local';
import { dynamoDbProxyService, startEdge, type EdgeService } from './edge/edge-server';
import { consoleSite } from './http-api/console-site';
import { startHttpApi } from './http-api/http-api-server';
import { countedActivity, idleProbeService } from './idle-probe';
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
  /** the web console's build to serve on the API's port (console/dist); none when undefined */
  consoleDir?: string;
}

export interface LocalRuntime {
  apiUrl: string;
  edgeUrl: string;
  dynamoDbEndpoint: string;
  tableName: string;
  clock: LocalClock;
  /** an ID token for a demo user, by id or role (what GET /_local/token answers) */
  tokenFor(userIdOrRole: string): Promise<string>;
  /** a token the local pool signs for anyone, demo user or not: what a stolen or stale token looks like to the API */
  signToken(user: DemoUser): Promise<string>;
  /**
   * DynamoDB requests that went through the edge, by operation; `<operation>.items` counts the items of
   * the batch and transaction operations (a TransactWriteItems is one request of several items)
   */
  edgeRequestCounts(): Record<string, number>;
  /** per function name: invocations so far and their summed duration */
  lambdaInvocations(): Record<string, { count: number; ms: number; memorySize: number }>;
  /** the functions with a warm worker (each holds its own heap) */
  warmFunctions(): string[];
  stop(): Promise<void>;
}

/** The items a batch or transaction request names; undefined for single-item operations. */
function itemsOf(operation: string, body: Buffer): number | undefined {
  if (!/^(TransactWriteItems|TransactGetItems|BatchGetItem|BatchWriteItem)$/.test(operation)) return undefined;
  try {
    const input = JSON.parse(body.toString('utf8')) as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[] | { Keys?: unknown[] }> };
    if (input.TransactItems) return input.TransactItems.length;
    return Object.values(input.RequestItems ?? {}).reduce<number>((sum, v) => sum + (Array.isArray(v) ? v.length : (v.Keys?.length ?? 0)), 0);
  } catch {
    return undefined;
  }
}

/** Counts DynamoDB requests by operation on their way through the edge (the benchmarks read them). */
function countingService(inner: EdgeService, counts: Map<string, number>): EdgeService {
  return {
    name: inner.name,
    matches: (req) => inner.matches(req),
    handle(req, res, body) {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const items = itemsOf(operation, body);
      if (items !== undefined) counts.set(`${operation}.items`, (counts.get(`${operation}.items`) ?? 0) + items);
      return inner.handle(req, res, body);
    },
  };
}

/** `GET /_local/requests` → `{ "dynamodb": { "GetItem": 3, ... } }`: those counts, for a benchmark outside the process. */
function requestCountsService(counts: Map<string, number>): EdgeService {
  return {
    name: 'request counts',
    matches: (req) => req.method === 'GET' && (req.url ?? '').split('?')[0] === '/_local/requests',
    handle(_req, res) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ dynamodb: Object.fromEntries(counts) }));
    },
  };
}

const HEAP_GROWING_PERCENT = 50;

/**
 * Brings up, from the cloud assembly alone, what its template declares: DynamoDB Local with the tables
 * (plus the TTL sweeps and stream deliveries it lacks), every function in its own worker, the state
 * machines, the buses, rules and queues, SES's configuration sets, the secrets, and the HTTP API with its
 * JWT authorizer; every AWS API on one edge, with the local clock and the idle probe (GET /_local/idle,
 * idle-probe.ts). Nothing here names a table, route or function of ours: they all come from cdk.out.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  // Everything here shares one process, and a launch allocates fast: V8 then lets the heap grow to about
  // three times what is live before it collects (a 10,000-lead launch: 500 MB for 160 MB live). Growing by
  // half at most costs a few more collections and no throughput the bench could see (docs/decisions.md).
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const assembly = loadCloudAssembly(options.cdkOut ?? DEFAULT_CDK_OUT);
    const stack = assembly.stacks[0];
    if (!stack) throw new Error(`no stack in ${options.cdkOut ?? DEFAULT_CDK_OUT}`);
    for (const nested of stack.nestedStacks) {
      log(`nested stack ${nested.logicalId}: ${Object.keys(nested.template.Resources ?? {}).length} resources from ${path.basename(nested.templateFile)}, merged`);
    }
    // functions resolve their environment when they first start, after the API listens: a mail link built
    // from the API's endpoint then points at the local API
    const localApi: { url?: string } = {};
    const resolver = createResolver(stack, {
      region: LOCAL_REGION, accountId: LOCAL_ACCOUNT, stackName: stack.stackName, apiEndpoint: () => localApi.url,
    });
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
    edge.register(requestCountsService(counts));
    const clock = createLocalClock({ stateFile: path.join(scratch, 'clock.json') });
    edge.register(clockService(clock));
    const common = { edgeUrl: edge.url, clock, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT, log };

    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    stops.push(async () => client.destroy());
    const tables = await createTablesFromTemplate(client, stack.resources, resolver.resolve, log);
    await client.send(new ListTablesCommand({}));
    log(`tables ready: ${tables.map((t) => t.tableName).join(', ')}`);

    const functions = createFunctionRuntime({
      stack, resolver, edgeUrl: edge.url, region: LOCAL_REGION, logDir: path.join(scratch, 'logs'),
      clockOffsetMs: () => clock.offsetSeconds() * 1000,
      consoleUrl: () => (localApi.url ? `${localApi.url}/app/` : undefined),
    });
    stops.push(() => functions.stop());
    edge.register(lambdaInvokeService(functions));
    // the emulators that invoke functions do it in process, with the edge's Invoke semantics
    const lambdaClient = inProcessLambdaClient(functions, log);
    log(`${functions.functions().length} functions ready (each starts in its own worker on first call)`);

    const userPool = createUserPoolService({ dataDir: scratch, usernames: DEMO_USERS.map((user) => user.id) });
    userPool.loadTemplate(stack.resources, resolver);
    edge.register(userPool.edgeService);

    const secrets = createSecretsManagerService({ dataDir: scratch });
    secrets.loadTemplate(stack.resources, resolver);
    edge.register(secrets.edgeService);

    const sqs = createSqsService({ ...common, dataDir: scratch });
    sqs.loadTemplate(stack.resources, resolver);
    edge.register(sqs.edgeService);
    stops.push(() => sqs.stop());

    const eventBridge = createEventBridgeService({ ...common, dataDir: scratch, lambdaClient });
    eventBridge.loadTemplate(stack.resources, resolver);
    edge.register(eventBridge.edgeService);
    stops.push(() => eventBridge.stop());

    const ses = createSesService({ ...common, dataDir: path.join(scratch, 'ses') });
    ses.loadTemplate(stack.resources, resolver);
    edge.register(ses.edgeService);
    stops.push(() => ses.stop());

    const stepFunctions = createStepFunctionsService({ ...common, dataDir: path.join(scratch, 'stepfunctions'), lambdaClient });
    edge.register(stepFunctions.edgeService);
    stops.push(() => stepFunctions.stop());
    const stateMachines = stateMachinesFromTemplate(stack.resources, resolver);
    for (const machine of stateMachines) stepFunctions.createStateMachine(machine.name, machine.definition);
    await stepFunctions.resumeAll();
    eventBridge.resumeDeliveries();
    await ses.publishUnrecordedEvents();
    log(`${stateMachines.length} state machines ready; buses, rules, queues, mail and secrets from the template`);

    sqs.startEventSources(stack.resources, resolver, (name, event) => functions.invoke(name, event));
    const sweeper = startTtlSweeper({ client, clock, tables: tables.map((t) => t.tableName), log });
    stops.push(() => sweeper.stop());
    const poller = await startStreamPoller({
      dynamoDbEndpoint: dynamodb.endpoint, resources: stack.resources, resolver, dataDir: scratch, log,
      invoke: (arn, event) => functions.invoke(arn, event),
    });
    stops.push(() => poller.stop());

    edge.register(idleProbeService(clock, [
      countedActivity('Lambda invocation(s) running or waiting for their turn', () => functions.inFlight()),
      countedActivity('Step Functions task call(s) under way', () => stepFunctions.callsInFlight()),
      countedActivity('EventBridge deliveries under way or waiting to be retried', () => eventBridge.pendingDeliveries()),
      countedActivity('EventBridge replay(s) under way', () => eventBridge.replaysUnderWay()),
      countedActivity('SQS message(s) waiting for the functions that read their queues', () => sqs.pendingForFunctions()),
      countedActivity('TTL sweep under way', () => (sweeper.sweepOwed() ? 1 : 0)),
      { busy: () => poller.pendingRecords() },
    ]));

    const issuer = await createLocalIssuer({ keyFile: path.join(scratch, 'local-issuer-key.json') });
    const api = await startHttpApi({
      port: options.ports?.api ?? 3000,
      resources: stack.resources,
      resolve: resolver.resolve,
      invoke: (arn, event) => functions.invoke(arn, event),
      issuer,
      userPool,
      log: () => {},
      ...(options.consoleDir ? { console: consoleSite(options.consoleDir) } : {}),
    });
    stops.push(() => api.stop());
    localApi.url = api.url;

    const [table] = tables;
    if (!table) throw new Error('the template declares no table');
    return {
      apiUrl: api.url,
      edgeUrl: edge.url,
      dynamoDbEndpoint: dynamodb.endpoint,
      tableName: table.tableName,
      clock,
      async tokenFor(userIdOrRole) {
        const response = await fetch(`${api.url}/_local/token?user=${encodeURIComponent(userIdOrRole)}&format=text`);
        if (!response.ok) throw new Error(`no token for ${userIdOrRole}: ${await response.text()}`);
        return response.text();
      },
      async signToken(user) {
        if (!api.tokenAudience) throw new Error('the HTTP API has no JWT authorizer with an audience');
        return issuer.sign(user, api.tokenAudience.issuer, api.tokenAudience.audience);
      },
      edgeRequestCounts: () => Object.fromEntries(counts),
      lambdaInvocations: () => functions.invocations(),
      warmFunctions: () => functions.warmFunctions(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
