import { randomUUID } from 'node:crypto';
import type { LocalClock } from '../clock';
import type { ArchiveStore } from './archive-store';
import type { Delivery } from './delivery';
import { compileEventPattern } from './event-pattern';
import { busNameOf, EventBridgeApiError, ruleArnOf, type Archive, type Bus, type BusEvent, type Replay, type Rule, type TargetConfig } from './eventbridge-model';
import { DeliveryError } from './targets';

export interface EventBusesOptions {
  region: string;
  accountId: string;
  clock: LocalClock;
  delivery: Delivery;
  archiveStore: ArchiveStore;
  log: (line: string) => void;
  /** called with every rule created or replaced (a schedule starts from here) */
  onRulePut?: (rule: Rule) => void;
}

export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  /** epoch seconds (as the JSON protocol sends it), an ISO string or a Date */
  Time?: unknown;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface RuleInput {
  name: string;
  busName?: string;
  /** an object or its JSON text */
  eventPattern?: unknown;
  scheduleExpression?: string;
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
}

const RECENT_KEPT = 1000;
/** forwarding between buses stops after this many hops, so a rule loop cannot spin forever */
const MAX_BUS_HOPS = 5;
const DAY_MS = 86_400_000;

/** EventBridge's time format: ISO 8601 to the second. */
export const eventTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function timeOf(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** The buses with their rules, archives and replays, and what happens to an event put on a bus. */
export function createEventBuses(opts: EventBusesOptions) {
  const { region, accountId, clock, delivery, archiveStore, log } = opts;
  const buses = new Map<string, Bus>();
  const archives = new Map<string, Archive>();
  const replays = new Map<string, Replay>();
  /** how many buses an event has been forwarded through */
  const hops = new WeakMap<BusEvent, number>();
  const arn = (resource: string) => `arn:aws:events:${region}:${accountId}:${resource}`;

  function ensureBus(name: string): Bus {
    let bus = buses.get(name);
    if (!bus) {
      bus = { name, arn: arn(`event-bus/${name}`), rules: new Map(), recent: [] };
      buses.set(name, bus);
    }
    return bus;
  }
  ensureBus('default');

  function bus(nameOrArn: unknown): Bus {
    const name = nameOrArn === undefined || nameOrArn === null || nameOrArn === '' ? 'default' : busNameOf(String(nameOrArn));
    const found = buses.get(name);
    if (!found) throw new EventBridgeApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return found;
  }

  function rule(name: string, busName?: unknown): Rule {
    const owner = bus(busName);
    const found = owner.rules.get(name);
    if (!found) throw new EventBridgeApiError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${owner.name}.`);
    return found;
  }

  /** Creates or updates a rule; an invalid pattern throws InvalidEventPatternError. */
  function putRule(input: RuleInput): Rule {
    const owner = bus(input.busName);
    if (input.eventPattern === undefined && !input.scheduleExpression) {
      throw new EventBridgeApiError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    const matches = input.eventPattern === undefined ? undefined : compileEventPattern(input.eventPattern);
    const eventPattern = input.eventPattern === undefined ? undefined : typeof input.eventPattern === 'string' ? input.eventPattern : JSON.stringify(input.eventPattern);
    const existing = owner.rules.get(input.name);
    const next: Rule = {
      name: input.name,
      arn: ruleArnOf(region, accountId, owner.name, input.name),
      busName: owner.name,
      state: input.state ?? 'ENABLED',
      description: input.description,
      eventPattern,
      matches,
      scheduleExpression: input.scheduleExpression,
      roleArn: input.roleArn,
      targets: existing?.targets ?? [],
    };
    owner.rules.set(input.name, next);
    opts.onRulePut?.(next);
    return next;
  }

  function putTargets(target: Rule, targets: TargetConfig[]): void {
    const ids = new Set(targets.map((t) => t.Id));
    target.targets = [...target.targets.filter((t) => !ids.has(t.Id)), ...targets];
  }

  function addArchive(input: { name: string; sourceArn: string; eventPattern?: unknown; retentionDays?: number; description?: string }): Archive {
    bus(input.sourceArn); // the source bus must exist
    const archive: Archive = {
      name: input.name,
      arn: arn(`archive/${input.name}`),
      sourceArn: input.sourceArn,
      description: input.description,
      eventPattern: input.eventPattern === undefined ? undefined : typeof input.eventPattern === 'string' ? input.eventPattern : JSON.stringify(input.eventPattern),
      matches: input.eventPattern === undefined ? undefined : compileEventPattern(input.eventPattern),
      retentionDays: input.retentionDays ?? 0,
      createdAt: clock.now(),
    };
    archives.set(archive.name, archive);
    return archive;
  }

  /** When the archive's oldest kept event may have been put (0: kept forever). */
  const retainedSince = (archive: Archive) => (archive.retentionDays > 0 ? clock.now() - archive.retentionDays * DAY_MS : 0);

  /** Records, archives and routes one event: each target of each matching rule gets it later. */
  function publish(onto: Bus, event: BusEvent, replay?: { filterArns?: string[] }): void {
    const now = clock.now();
    onto.recent.push(event);
    if (onto.recent.length > RECENT_KEPT) onto.recent.shift();
    if (!replay) {
      for (const archive of archives.values()) {
        if (busNameOf(archive.sourceArn) === onto.name && (archive.matches?.(event) ?? true)) {
          archiveStore.append(archive.name, { at: now, event });
        }
      }
    }
    for (const r of onto.rules.values()) {
      if (r.state !== 'ENABLED' || !r.matches?.(event)) continue;
      if (replay?.filterArns && !replay.filterArns.includes(r.arn)) continue;
      for (const target of r.targets) delivery.enqueue({ event, rule: r, target, ingestedAt: now });
    }
  }

  function putEntry(entry: PutEventsEntry): PutEventsResultEntry {
    const invalid = (name: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
    });
    if (typeof entry.Source !== 'string' || entry.Source === '') return invalid('Source');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalid('DetailType');
    if (typeof entry.Detail !== 'string' || entry.Detail === '') return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (!isPlainObject(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Resources is not valid. Reason: Resources must be a list of strings.' };
    }
    let target: Bus;
    try {
      target = bus(entry.EventBusName);
    } catch (error) {
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: (error as Error).message };
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: accountId,
      time: eventTime(timeOf(entry.Time) ?? clock.now()),
      region,
      resources,
      detail,
    };
    publish(target, event);
    return { EventId: event.id };
  }

  /** An event-bus target: the same event, put on that bus. */
  function forward(busName: string, event: BusEvent): void {
    const onto = buses.get(busName);
    if (!onto) throw new DeliveryError('RESOURCE_NOT_FOUND', `Event bus ${busName} does not exist.`, false);
    const count = (hops.get(event) ?? 0) + 1;
    if (count > MAX_BUS_HOPS) {
      log(`EventBridge: event ${event.id} dropped after ${MAX_BUS_HOPS} bus-to-bus hops (a rule loop?)`);
      return;
    }
    const copy = { ...event };
    hops.set(copy, count);
    publish(onto, copy);
  }

  function startReplay(input: Record<string, unknown>): Replay {
    const name = String(input.ReplayName ?? '');
    if (!name) throw new EventBridgeApiError('ValidationException', 'ReplayName is required.');
    if (replays.has(name)) throw new EventBridgeApiError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    const archive = [...archives.values()].find((a) => a.arn === input.EventSourceArn);
    if (!archive) throw new EventBridgeApiError('ResourceNotFoundException', `Archive ${String(input.EventSourceArn)} does not exist.`);
    const from = timeOf(input.EventStartTime);
    const to = timeOf(input.EventEndTime);
    if (from === undefined || to === undefined || from >= to) {
      throw new EventBridgeApiError('ValidationException', 'EventStartTime and EventEndTime are required, and the start must be before the end.');
    }
    const destination = (input.Destination ?? {}) as Replay['destination'];
    if (busNameOf(String(destination.Arn ?? '')) !== busNameOf(archive.sourceArn)) {
      throw new EventBridgeApiError('ValidationException', `Destination.Arn must be the archive's source event bus ${archive.sourceArn}.`);
    }
    const replay: Replay = {
      name,
      arn: arn(`replay/${name}`),
      archiveArn: archive.arn,
      description: typeof input.Description === 'string' ? input.Description : undefined,
      destination,
      eventStartTime: from,
      eventEndTime: to,
      state: 'STARTING',
      replayStartTime: clock.now(),
    };
    replays.set(name, replay);
    setImmediate(() => {
      replay.state = 'RUNNING';
      const onto = bus(destination.Arn);
      for (const { event, at } of archiveStore.read(archive.name, from, to, retainedSince(archive))) {
        publish(onto, { ...event, 'replay-name': name }, { filterArns: destination.FilterArns });
        replay.eventLastReplayedTime = at;
      }
      replay.state = 'COMPLETED';
      replay.replayEndTime = clock.now();
    });
    return replay;
  }

  return {
    buses,
    archives,
    replays,
    ensureBus,
    bus,
    rule,
    putRule,
    putTargets,
    addArchive,
    archiveStats: (archive: Archive) => archiveStore.stats(archive.name, retainedSince(archive)),
    putEntry,
    publish,
    forward,
    startReplay,
  };
}

export type EventBuses = ReturnType<typeof createEventBuses>;
