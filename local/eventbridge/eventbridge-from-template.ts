import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import type { EventBuses } from './event-buses';
import { busNameOf, type Rule, type TargetConfig } from './eventbridge-model';

export interface LoadedEventBridge {
  buses: string[];
  archives: string[];
  rules: Rule[];
}

type Props = Record<string, unknown>;

const ofType = (resources: Record<string, TemplateResource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

/**
 * Declares the template's AWS::Events::EventBus, ::Archive and ::Rule resources (with their targets)
 * on the local buses. A rule with an invalid pattern stops the load, naming the rule.
 */
export function eventBridgeFromTemplate(
  buses: EventBuses,
  resources: Record<string, TemplateResource>,
  resolver: Pick<Resolver, 'resolve' | 'nameOf'>,
): LoadedEventBridge {
  const props = (resource: TemplateResource) => (resolver.resolve(resource.Properties ?? {}) ?? {}) as Props;
  const loaded: LoadedEventBridge = { buses: [], archives: [], rules: [] };

  for (const [logicalId] of ofType(resources, 'AWS::Events::EventBus')) {
    loaded.buses.push(buses.ensureBus(resolver.nameOf(logicalId)).name);
  }

  for (const [logicalId, resource] of ofType(resources, 'AWS::Events::Archive')) {
    const p = props(resource);
    const archive = buses.addArchive({
      name: typeof p.ArchiveName === 'string' ? p.ArchiveName : resolver.nameOf(logicalId),
      sourceArn: String(p.SourceArn),
      eventPattern: p.EventPattern,
      retentionDays: p.RetentionDays === undefined ? undefined : Number(p.RetentionDays),
      description: p.Description as string | undefined,
    });
    loaded.archives.push(archive.name);
  }

  for (const [logicalId, resource] of ofType(resources, 'AWS::Events::Rule')) {
    const p = props(resource);
    const busName = p.EventBusName === undefined ? 'default' : busNameOf(String(p.EventBusName));
    buses.ensureBus(busName);
    let rule: Rule;
    try {
      rule = buses.putRule({
        name: resolver.nameOf(logicalId),
        busName,
        eventPattern: p.EventPattern,
        scheduleExpression: p.ScheduleExpression as string | undefined,
        state: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        description: p.Description as string | undefined,
        roleArn: p.RoleArn as string | undefined,
      });
    } catch (error) {
      throw new Error(`EventBridge rule ${logicalId}: ${(error as Error).message}`, { cause: error });
    }
    buses.putTargets(rule, (p.Targets ?? []) as TargetConfig[]);
    loaded.rules.push(rule);
  }
  return loaded;
}
