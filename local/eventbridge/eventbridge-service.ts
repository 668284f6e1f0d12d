import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import type { EmulatorOptions } from '../clock';
import type { InvokingClient } from '../lambda/lambda-invoke-service';
import { serveAwsJsonAction, targetPrefixMatcher, type EdgeService } from '../edge/edge-server';
import { ArchiveStore } from './archive-store';
import { createDelivery, type RetrySettings } from './delivery';
import { InvalidEventPatternError } from './event-pattern';
import { createEventBuses, eventTime, type PutEventsEntry, type PutEventsResultEntry } from './event-buses';
import { EVENTBRIDGE_ACTIONS } from './eventbridge-api';
import { EventBridgeApiError, type BusEvent, type FailedDelivery, type Rule } from './eventbridge-model';
import { compileSchedule } from './schedule';
import { createTargetSenders } from './targets';
import { eventBridgeFromTemplate, type LoadedEventBridge } from './eventbridge-from-template';

/** Archives, failed deliveries and deliveries not yet made persist under `<dataDir>/eventbridge`. */
export interface EventBridgeServiceOptions extends EmulatorOptions {
  retry?: Partial<RetrySettings>;
  lambdaClient?: InvokingClient;
}

export interface EventBridgeService {
  /** the EventBridge JSON API (`X-Amz-Target: AWSEvents.<Action>`) and `GET /_local/events[/failed]` */
  edgeService: EdgeService;
  loadTemplate(resources: Record<string, TemplateResource>, resolver: Pick<Resolver, 'resolve' | 'nameOf'>): LoadedEventBridge;
  /** PutEvents for in-process callers: same validation, same per-entry results */
  putEvents(entries: PutEventsEntry[]): { FailedEntryCount: number; Entries: PutEventsResultEntry[] };
  /** the latest events put on a bus, oldest first */
  recentEvents(bus?: string, limit?: number): BusEvent[];
  failedDeliveries(): FailedDelivery[];
  /** deliveries under way or waiting to be retried */
  pendingDeliveries(): number;
  /** replays started that have not put all their events back on the bus yet */
  replaysUnderWay(): number;
  /** Makes the deliveries accepted before a restart and not made then; call once every target is up. */
  resumeDeliveries(): void;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
};

export function createEventBridgeService(opts: EventBridgeServiceOptions): EventBridgeService {
  const log = opts.log ?? (() => {});
  const { clock, region, accountId } = opts;
  const dir = opts.dataDir ? path.join(opts.dataDir, 'eventbridge') : undefined;
  const stopping = new AbortController();

  let forward: (busName: string, event: BusEvent) => void = () => {};
  const senders = createTargetSenders({ edgeUrl: opts.edgeUrl, region, log, forwardToBus: (name, event) => forward(name, event), ...(opts.lambdaClient ? { lambdaClient: opts.lambdaClient } : {}) });
  const delivery = createDelivery({
    clock,
    senders,
    log,
    retry: opts.retry,
    failedFile: dir ? path.join(dir, 'failed-deliveries.jsonl') : undefined,
    pendingFile: dir ? path.join(dir, 'pending-deliveries.jsonl') : undefined,
  });
  const buses = createEventBuses({
    region,
    accountId,
    clock,
    delivery,
    log,
    archiveStore: new ArchiveStore(dir ? path.join(dir, 'archives') : undefined),
    onRulePut: (rule) => {
      if (rule.scheduleExpression) void runSchedule(rule);
    },
  });
  forward = buses.forward;

  /** Fires a scheduled rule's targets on the local clock; missed fires (after an advance) coalesce into one. */
  async function runSchedule(rule: Rule): Promise<void> {
    let next;
    try {
      next = compileSchedule(rule.scheduleExpression!, clock.now());
    } catch (error) {
      log(`EventBridge: rule ${rule.name} will not fire locally: ${(error as Error).message}`);
      return;
    }
    const current = () => buses.buses.get(rule.busName)?.rules.get(rule.name) === rule;
    while (!stopping.signal.aborted && current()) {
      try {
        await clock.until(next(clock.now()), stopping.signal);
      } catch {
        return;
      }
      if (!current() || rule.state !== 'ENABLED') continue;
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: accountId,
        time: eventTime(clock.now()),
        region,
        resources: [rule.arn],
        detail: {},
      };
      for (const target of rule.targets) delivery.enqueue({ event, rule, target, ingestedAt: clock.now() });
    }
  }

  const recentEvents = (bus = 'default', limit = 50) => buses.bus(bus).recent.slice(-Math.max(0, limit));

  function handleLocal(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const limit = Number(url.searchParams.get('limit') ?? 50);
    if (url.pathname === '/_local/events/failed') return json(res, 200, { failed: delivery.failed().slice(-limit) });
    const bus = url.searchParams.get('bus') ?? 'default';
    if (!buses.buses.has(bus)) return json(res, 404, { message: `no event bus ${bus}; buses: ${[...buses.buses.keys()].join(', ')}` });
    return json(res, 200, { bus, events: recentEvents(bus, limit) });
  }

  const handleApi = (req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    serveAwsJsonAction(req, res, body, {
      targetPrefix: 'AWSEvents.',
      contentType: 'application/x-amz-json-1.1',
      run(action, input) {
        const handler = EVENTBRIDGE_ACTIONS[action];
        if (!handler) throw new EventBridgeApiError('UnknownOperationException', `EventBridge action ${action} is not supported locally`);
        return handler(input, buses);
      },
      toAwsError: (error) =>
        error instanceof EventBridgeApiError ? { status: error.status, type: error.code, message: error.message }
        : error instanceof InvalidEventPatternError ? { status: 400, type: error.code, message: error.message }
        : undefined,
    });

  const isApi = targetPrefixMatcher('AWSEvents.');
  const isLocal = (req: IncomingMessage) => req.method === 'GET' && /^\/_local\/events(\/failed)?(\?|$)/.test(req.url ?? '');

  return {
    edgeService: {
      name: 'EventBridge',
      matches: (req) => isApi(req) || isLocal(req),
      handle: (req, res, body) => (isApi(req) ? handleApi(req, res, body) : handleLocal(req, res)),
    },
    loadTemplate(resources, resolver) {
      const loaded = eventBridgeFromTemplate(buses, resources, resolver);
      log(`EventBridge: ${loaded.buses.length + 1} buses, ${loaded.rules.length} rules, ${loaded.archives.length} archives`);
      return loaded;
    },
    putEvents(entries) {
      const results = entries.map((entry) => buses.putEntry(entry));
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    },
    recentEvents,
    failedDeliveries: () => delivery.failed(),
    pendingDeliveries: () => delivery.pending(),
    replaysUnderWay: () => [...buses.replays.values()].filter((r) => r.state === 'STARTING' || r.state === 'RUNNING').length,
    resumeDeliveries: () => delivery.resume(),
    async stop() {
      stopping.abort();
      delivery.stop();
      senders.destroy();
    },
  };
}
