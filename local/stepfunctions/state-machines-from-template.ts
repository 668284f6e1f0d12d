import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';

export interface TemplateStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  /** the definition as JSON text, intrinsics resolved and DefinitionSubstitutions applied */
  definition: string;
  roleArn: string;
  type: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The template's AWS::StepFunctions::StateMachine resources, as CreateStateMachine would receive them. */
export function stateMachinesFromTemplate(
  resources: Record<string, TemplateResource>,
  resolver: Pick<Resolver, 'resolve' | 'nameOf' | 'arnOf'>,
): TemplateStateMachine[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, r]) => {
      const properties = r.Properties ?? {};
      if (properties.DefinitionS3Location !== undefined) {
        throw new Error(`State machine ${logicalId}: DefinitionS3Location is not supported locally (use DefinitionString or Definition)`);
      }
      let text: string;
      if (properties.DefinitionString !== undefined) text = String(resolver.resolve(properties.DefinitionString));
      else if (properties.Definition !== undefined) text = JSON.stringify(resolver.resolve(properties.Definition));
      else throw new Error(`State machine ${logicalId} has no definition`);
      const substitutions = resolver.resolve(properties.DefinitionSubstitutions ?? {});
      if (isObject(substitutions)) text = substitute(text, substitutions);
      return {
        logicalId,
        name: resolver.nameOf(logicalId),
        arn: resolver.arnOf(logicalId),
        definition: text,
        roleArn: properties.RoleArn === undefined ? '' : String(resolver.resolve(properties.RoleArn)),
        type: String(properties.StateMachineType ?? 'STANDARD'),
      };
    });
}

/** `${key}` → the substitution's value, escaped for the JSON string it sits in. */
function substitute(text: string, substitutions: Record<string, unknown>): string {
  return text.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
    key in substitutions ? JSON.stringify(String(substitutions[key])).slice(1, -1) : match,
  );
}
