import { compileEventPattern } from './event-pattern';
import type { EventBuses, PutEventsEntry } from './event-buses';
import { EventBridgeApiError, type Archive, type Replay, type Rule, type TargetConfig } from './eventbridge-model';

type Input = Record<string, unknown>;
type Action = (input: Input, buses: EventBuses) => unknown;

/** TestEventPattern's event must carry these, as on AWS */
const MANDATORY_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const prefixed = (name: string, prefix: unknown) => typeof prefix !== 'string' || name.startsWith(prefix);

function required(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new EventBridgeApiError('ValidationException', `Parameter ${key} is required.`);
  return value;
}

const describeRule = (r: Rule) => ({
  Name: r.name,
  Arn: r.arn,
  EventBusName: r.busName,
  State: r.state,
  ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
  ...(r.scheduleExpression ? { ScheduleExpression: r.scheduleExpression } : {}),
  ...(r.description ? { Description: r.description } : {}),
  ...(r.roleArn ? { RoleArn: r.roleArn } : {}),
});

const describeArchive = (a: Archive, buses: EventBuses) => {
  const { count, bytes } = buses.archiveStats(a);
  return {
    ArchiveName: a.name,
    ArchiveArn: a.arn,
    EventSourceArn: a.sourceArn,
    State: 'ENABLED',
    RetentionDays: a.retentionDays,
    EventCount: count,
    SizeBytes: bytes,
    CreationTime: seconds(a.createdAt),
    ...(a.eventPattern !== undefined ? { EventPattern: a.eventPattern } : {}),
    ...(a.description ? { Description: a.description } : {}),
  };
};

const describeReplay = (r: Replay) => ({
  ReplayName: r.name,
  ReplayArn: r.arn,
  EventSourceArn: r.archiveArn,
  Destination: r.destination,
  State: r.state,
  EventStartTime: seconds(r.eventStartTime),
  EventEndTime: seconds(r.eventEndTime),
  ReplayStartTime: seconds(r.replayStartTime),
  ...(r.replayEndTime !== undefined ? { ReplayEndTime: seconds(r.replayEndTime) } : {}),
  ...(r.eventLastReplayedTime !== undefined ? { EventLastReplayedTime: seconds(r.eventLastReplayedTime) } : {}),
  ...(r.description ? { Description: r.description } : {}),
});

function archiveNamed(buses: EventBuses, name: string): Archive {
  const archive = buses.archives.get(name);
  if (!archive) throw new EventBridgeApiError('ResourceNotFoundException', `Archive ${name} does not exist.`);
  return archive;
}

/** The EventBridge actions served locally, by X-Amz-Target action name. */
export const EVENTBRIDGE_ACTIONS: Record<string, Action> = {
  PutEvents(input, buses) {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new EventBridgeApiError('ValidationException', 'Entries must hold between 1 and 10 entries.');
    }
    const results = entries.map((entry: PutEventsEntry) => buses.putEntry(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  },
  TestEventPattern(input) {
    const matches = compileEventPattern(required(input, 'EventPattern'));
    let event: unknown;
    try {
      event = JSON.parse(required(input, 'Event'));
    } catch {
      throw new EventBridgeApiError('ValidationException', 'Parameter Event is not valid. Reason: it is not valid JSON.');
    }
    const missing = MANDATORY_EVENT_FIELDS.filter((f) => typeof event !== 'object' || event === null || !(f in event));
    if (missing.length > 0) {
      throw new EventBridgeApiError('ValidationException', `Parameter Event is not valid. Reason: missing mandatory fields ${missing.join(', ')}.`);
    }
    return { Result: matches(event) };
  },
  PutRule(input, buses) {
    const r = buses.putRule({
      name: required(input, 'Name'),
      busName: input.EventBusName as string | undefined,
      eventPattern: input.EventPattern,
      scheduleExpression: input.ScheduleExpression as string | undefined,
      state: input.State as Rule['state'] | undefined,
      description: input.Description as string | undefined,
      roleArn: input.RoleArn as string | undefined,
    });
    return { RuleArn: r.arn };
  },
  DeleteRule(input, buses) {
    const r = buses.rule(required(input, 'Name'), input.EventBusName);
    if (r.targets.length > 0) throw new EventBridgeApiError('ValidationException', "Rule can't be deleted since it has targets.");
    buses.bus(r.busName).rules.delete(r.name);
    return {};
  },
  EnableRule(input, buses) {
    buses.rule(required(input, 'Name'), input.EventBusName).state = 'ENABLED';
    return {};
  },
  DisableRule(input, buses) {
    buses.rule(required(input, 'Name'), input.EventBusName).state = 'DISABLED';
    return {};
  },
  DescribeRule: (input, buses) => describeRule(buses.rule(required(input, 'Name'), input.EventBusName)),
  ListRules(input, buses) {
    const rules = [...buses.bus(input.EventBusName).rules.values()].filter((r) => prefixed(r.name, input.NamePrefix));
    return { Rules: rules.sort((a, b) => a.name.localeCompare(b.name)).map(describeRule) };
  },
  PutTargets(input, buses) {
    const r = buses.rule(required(input, 'Rule'), input.EventBusName);
    buses.putTargets(r, (input.Targets ?? []) as TargetConfig[]);
    return { FailedEntryCount: 0, FailedEntries: [] };
  },
  RemoveTargets(input, buses) {
    const r = buses.rule(required(input, 'Rule'), input.EventBusName);
    const ids = new Set((input.Ids ?? []) as string[]);
    r.targets = r.targets.filter((t) => !ids.has(t.Id));
    return { FailedEntryCount: 0, FailedEntries: [] };
  },
  ListTargetsByRule: (input, buses) => ({ Targets: buses.rule(required(input, 'Rule'), input.EventBusName).targets }),
  CreateEventBus(input, buses) {
    const name = required(input, 'Name');
    if (buses.buses.has(name)) throw new EventBridgeApiError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    return { EventBusArn: buses.ensureBus(name).arn };
  },
  DescribeEventBus(input, buses) {
    const b = buses.bus(input.Name);
    return { Name: b.name, Arn: b.arn };
  },
  ListEventBuses(input, buses) {
    const list = [...buses.buses.values()].filter((b) => prefixed(b.name, input.NamePrefix));
    return { EventBuses: list.map((b) => ({ Name: b.name, Arn: b.arn })) };
  },
  CreateArchive(input, buses) {
    const name = required(input, 'ArchiveName');
    if (buses.archives.has(name)) throw new EventBridgeApiError('ResourceAlreadyExistsException', `Archive ${name} already exists.`);
    const archive = buses.addArchive({
      name,
      sourceArn: required(input, 'EventSourceArn'),
      eventPattern: input.EventPattern,
      retentionDays: input.RetentionDays as number | undefined,
      description: input.Description as string | undefined,
    });
    return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: seconds(archive.createdAt) };
  },
  DescribeArchive: (input, buses) => describeArchive(archiveNamed(buses, required(input, 'ArchiveName')), buses),
  ListArchives(input, buses) {
    const list = [...buses.archives.values()].filter(
      (a) => prefixed(a.name, input.NamePrefix) && (input.EventSourceArn === undefined || a.sourceArn === input.EventSourceArn),
    );
    return { Archives: list.map((a) => describeArchive(a, buses)) };
  },
  StartReplay(input, buses) {
    const replay = buses.startReplay(input);
    return { ReplayArn: replay.arn, State: replay.state, StateReason: 'Replay is starting.', ReplayStartTime: seconds(replay.replayStartTime) };
  },
  DescribeReplay(input, buses) {
    const replay = buses.replays.get(required(input, 'ReplayName'));
    if (!replay) throw new EventBridgeApiError('ResourceNotFoundException', `Replay ${String(input.ReplayName)} does not exist.`);
    return describeReplay(replay);
  },
  ListReplays(input, buses) {
    const list = [...buses.replays.values()].filter((r) => prefixed(r.name, input.NamePrefix));
    return { Replays: list.map(describeReplay) };
  },
};
