import '../../../local/quiet-sdk-warning';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { seedDemoData } from '../../../local/seed/demo-data';
import { isIdleNow, untilIdle } from './until';

/** How much longer than its timeout `eventually` waits while the runtime is still busy (a loaded machine). */
const BUSY_RUNTIME_GRACE_MS = 240_000;

export interface Reply<T = any> {
  status: number;
  contentType: string;
  body: T;
}

/** A user's view of the API: every call carries that user's token, as the web console's would. */
export interface Caller {
  get<T = any>(path: string): Promise<Reply<T>>;
  post<T = any>(path: string, body: unknown): Promise<Reply<T>>;
  put<T = any>(path: string, body: unknown): Promise<Reply<T>>;
  patch<T = any>(path: string, body: unknown): Promise<Reply<T>>;
  delete<T = any>(path: string): Promise<Reply<T>>;
}

export interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: any;
  time: string;
}

export interface LocalCrm {
  runtime: LocalRuntime;
  /** the events put on a bus, newest first (the local EventBridge keeps a recent log per bus) */
  busEvents(bus?: string): Promise<BusEvent[]>;
  /** a state machine's finished executions with their input (via the SFN API on the edge) */
  finishedExecutions(stateMachineName: string): Promise<{ status: string; input: any; error?: string; cause?: string }[]>;
  /** puts events on the crm bus as another system (or a retried publisher) would, with PutEvents (ten to a call) */
  putEvents(entries: { source: string; detailType: string; detail: object }[]): Promise<void>;
  /** moves the local clock forward */
  advanceClock(seconds: number): Promise<void>;
  /**
   * resolves once the runtime is idle as of `before` (a time on its local clock; its now by default):
   * what a test waits for before asserting that something did not happen
   */
  untilIdle(before?: Date | number): Promise<void>;
  /**
   * polls `read` until `done` holds; after `timeoutMs`, once the runtime is idle (or has stayed busy for
   * minutes more), it answers the last value, done or not
   */
  eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  as(userIdOrRole: string): Caller;
  anonymous: Caller;
  /** every item in the table (tests only: the product itself never scans) */
  allItems(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** how a caller sends its requests: `fetch`, or one with a deadline */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

async function call(send: Fetch, apiUrl: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply> {
  const response = await send(`${apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: parsed };
}

/**
 * A caller on one API, or on whichever runtime `apiUrl` names at the time of each call (one restarted on
 * its data); it sends with `send`.
 */
export function caller(apiUrl: string | (() => Promise<string>), token: () => Promise<string | undefined>, send: Fetch = fetch): Caller {
  const url = async () => (typeof apiUrl === 'string' ? apiUrl : apiUrl());
  return {
    get: async (path) => call(send, await url(), 'GET', path, await token()),
    post: async (path, body) => call(send, await url(), 'POST', path, await token(), body),
    put: async (path, body) => call(send, await url(), 'PUT', path, await token(), body),
    patch: async (path, body) => call(send, await url(), 'PATCH', path, await token(), body),
    delete: async (path) => call(send, await url(), 'DELETE', path, await token()),
  };
}

/** The whole local runtime on free ports, in memory, with the demo company loaded (and the web console's build, when given). */
export async function startLocalCrm(options: { consoleDir?: string } = {}): Promise<LocalCrm> {
  const runtime = await startLocalRuntime({ ports: { api: 0, edge: 0, dynamodb: 0 }, ...options });
  await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (user: string) => {
    if (!tokens.has(user)) tokens.set(user, runtime.tokenFor(user));
    return tokens.get(user)!;
  };
  const sfn = new SFNClient({ endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const events = new EventBridgeClient({ endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
  );
  return {
    runtime,
    as: (user) => caller(runtime.apiUrl, () => tokenFor(user)),
    anonymous: caller(runtime.apiUrl, async () => undefined),
    async busEvents(bus = 'crm') {
      const response = await fetch(`${runtime.edgeUrl}/_local/events?bus=${bus}&limit=500`);
      if (!response.ok) throw new Error(`reading bus ${bus}: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { events?: BusEvent[] } | BusEvent[];
      return Array.isArray(body) ? body : body.events ?? [];
    },
    async finishedExecutions(name) {
      const arn = `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:${name}`;
      const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000 }));
      const finished = executions.filter((e) => e.status !== 'RUNNING');
      return Promise.all(finished.map(async (e) => {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        return { status: String(described.status), input: JSON.parse(described.input ?? '{}'), error: described.error, cause: described.cause };
      }));
    },
    async putEvents(entries) {
      // ten to a PutEvents call, its limit
      for (let i = 0; i < entries.length; i += 10) {
        const batch = entries.slice(i, i + 10);
        const { FailedEntryCount } = await events.send(new PutEventsCommand({
          Entries: batch.map((e) => ({ EventBusName: 'crm', Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
        }));
        if (FailedEntryCount) throw new Error(`${FailedEntryCount} of ${batch.length} events were not put on the bus`);
      }
    },
    async advanceClock(seconds) {
      const response = await fetch(`${runtime.edgeUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: seconds }) });
      if (!response.ok) throw new Error(`advancing the clock: ${response.status} ${await response.text()}`);
    },
    untilIdle: (before) => untilIdle(runtime.edgeUrl, before),
    async eventually(read, done, timeoutMs = 15_000) {
      // timeoutMs is how long a quiet machine needs; past it, a busy machine's runtime may still be
      // working towards the value, so the wait goes on while it has work in flight, and ends (with the
      // last value) once it is idle and the value still does not hold
      const deadline = Date.now() + timeoutMs;
      const giveUp = deadline + BUSY_RUNTIME_GRACE_MS;
      let value = await read();
      while (!done(value) && Date.now() < giveUp) {
        if (Date.now() >= deadline && await isIdleNow(runtime.edgeUrl)) return read();
        await new Promise((r) => setTimeout(r, 100));
        value = await read();
      }
      return value;
    },
    async allItems() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: runtime.tableName, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async stop() {
      documents.destroy();
      sfn.destroy();
      events.destroy();
      await runtime.stop();
    },
  };
}
