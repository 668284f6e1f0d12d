import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import type { ConfigurationSet, EmailTemplate } from './ses-model';

type Log = (line: string) => void;

/**
 * The SES resources of a template: configuration sets (AWS::SES::ConfigurationSet) with their
 * EventBridge destinations (AWS::SES::ConfigurationSetEventDestination), and email templates
 * (AWS::SES::Template). Other destination kinds (CloudWatch, Firehose, SNS) are not emulated.
 */
export function readSesResources(
  resources: Record<string, TemplateResource>,
  resolver: Pick<Resolver, 'resolve' | 'physicalId'>,
  createdAt: string,
  log: Log,
): { configurationSets: ConfigurationSet[]; templates: EmailTemplate[] } {
  const sets = new Map<string, ConfigurationSet>();
  const templates: EmailTemplate[] = [];
  const entries = Object.entries(resources);
  const props = (resource: TemplateResource) => (resolver.resolve(resource.Properties ?? {}) ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation properties are untyped JSON

  for (const [logicalId, resource] of entries) {
    if (resource.Type !== 'AWS::SES::ConfigurationSet') continue;
    const name = resolver.physicalId(logicalId);
    sets.set(name, { name, destinations: [] });
  }
  for (const [logicalId, resource] of entries) {
    if (resource.Type === 'AWS::SES::ConfigurationSetEventDestination') {
      const { ConfigurationSetName: setName, EventDestination: destination = {} } = props(resource);
      const set = sets.get(String(setName));
      if (!set) {
        log(`SES: ${logicalId} names configuration set ${setName}, which the template does not declare`);
        continue;
      }
      if (destination.Enabled === false || destination.Enabled === 'false') continue;
      if (!destination.EventBridgeDestination) {
        log(`SES: ${logicalId} is not an EventBridge destination; only those are emulated locally`);
        continue;
      }
      set.destinations.push({
        name: String(destination.Name ?? logicalId),
        eventTypes: new Set(((destination.MatchingEventTypes ?? []) as unknown[]).map((t) => String(t).toUpperCase())),
        busName: busNameOf(String(destination.EventBridgeDestination.EventBusArn ?? 'default')),
      });
    } else if (resource.Type === 'AWS::SES::Template') {
      const { Template: t = {} } = props(resource);
      templates.push({
        name: String(t.TemplateName ?? resolver.physicalId(logicalId)),
        subject: t.SubjectPart,
        text: t.TextPart,
        html: t.HtmlPart,
        createdAt,
      });
    }
  }
  return { configurationSets: [...sets.values()], templates };
}

/** `arn:aws:events:us-east-1:000000000000:event-bus/default` → `default` (SES only publishes to the default bus). */
function busNameOf(arnOrName: string): string {
  return arnOrName.split(':event-bus/').pop() || 'default';
}
