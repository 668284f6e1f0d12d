import type { CloudFormationTemplate, TemplateResource } from './cloud-assembly';

/**
 * Merges a stack's nested stacks (`AWS::CloudFormation::Stack` resources whose template is a file asset of
 * the assembly) into the one template the local services read, so that nothing else in local/ needs to
 * know about them:
 *
 * - each nested resource is added under `<nested stack's logical id><its logical id>` (unique in the
 *   parent, and still a valid logical id), as are the nested template's Conditions and Mappings;
 * - every intrinsic inside the nested template is rewritten to the merged names: a `Ref` to a nested
 *   parameter becomes the value the parent passes it (an expression over the parent's resources, resolved
 *   when the emulators resolve the resource, like any other), or its `Default`; Refs and GetAtts of nested
 *   resources, Fn::If and Condition names, Fn::FindInMap names and DependsOn are prefixed; an Fn::Sub's
 *   `${...}` that names either is given as a variable holding the rewritten Ref or GetAtt;
 *   `AWS::StackName` is the nested stack's own (`<parent>-<nested stack's logical id>`);
 * - `Fn::GetAtt <nested stack>.Outputs.X` (and `${<nested stack>.Outputs.X}`) anywhere becomes the nested
 *   output's value.
 *
 * The `AWS::CloudFormation::Stack` resources stay in the merged template (no local service acts on them),
 * so a `DependsOn` naming one still names a resource. One level of nesting is read: a nested stack that
 * holds nested stacks of its own is refused with an error saying so.
 */

export const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

export interface NestedStack {
  /** The `AWS::CloudFormation::Stack` resource's logical id in the parent: the prefix of its resources' ids. */
  logicalId: string;
  /** Absolute path of its template file in the assembly. */
  templateFile: string;
  /** Its template as synthesized (not merged). */
  template: CloudFormationTemplate;
}

export interface MergedTemplate {
  template: CloudFormationTemplate;
  nestedStacks: NestedStack[];
}

/** How the names of one template's intrinsics map into the merged template: what stands for a Ref or GetAtt there (undefined keeps it). */
interface Scope {
  ref(name: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
  condition(name: string): string;
  mapping(name: string): string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPseudo = (name: string) => name.startsWith('AWS::');

/** `${Name}` and `${Res.Attr}` in an Fn::Sub text (not the escaped `${!Literal}`). */
const subPlaceholders = (text: string): string[] =>
  [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!).filter((raw) => !raw.startsWith('!')).map((raw) => raw.trim());

/** `inCondition`: the value is a condition's definition, where `{ "Condition": name }` names another condition. */
function rewrite(value: unknown, scope: Scope, inCondition = false): unknown {
  const again = (v: unknown) => rewrite(v, scope, inCondition);
  if (Array.isArray(value)) return value.map(again);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const args = value[key];
    switch (key) {
      case 'Ref':
        return typeof args === 'string' ? (scope.ref(args) ?? value) : value;
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof args === 'string'
          ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)]
          : (args as [unknown, unknown]);
        if (typeof attribute !== 'string') return { 'Fn::GetAtt': [logicalId, again(attribute)] };
        return scope.getAtt(String(logicalId), attribute) ?? value;
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof args === 'string' ? [args, {}] : (args as [unknown, unknown]);
        if (typeof text !== 'string') return { 'Fn::Sub': again(args) };
        const given = isObject(variables) ? (again(variables) as Record<string, unknown>) : {};
        const added: Record<string, unknown> = {};
        for (const name of subPlaceholders(text)) {
          if (name in given || name in added) continue;
          const dot = name.indexOf('.');
          const replacement = dot < 0 ? scope.ref(name) : scope.getAtt(name.slice(0, dot), name.slice(dot + 1));
          if (replacement !== undefined) added[name] = replacement;
        }
        // the text keeps its placeholders: each one that names something merged is given as a variable
        return Object.keys(added).length === 0 && typeof args === 'string' ? value : { 'Fn::Sub': [text, { ...given, ...added }] };
      }
      case 'Fn::If': {
        const [name, ...branches] = args as [string, ...unknown[]];
        return { 'Fn::If': [scope.condition(name), ...branches.map(again)] };
      }
      case 'Condition':
        return inCondition && typeof args === 'string' ? { Condition: scope.condition(args) } : { Condition: again(args) };
      case 'Fn::FindInMap': {
        const [map, ...keysOf] = args as [unknown, ...unknown[]];
        return { 'Fn::FindInMap': [typeof map === 'string' ? scope.mapping(map) : again(map), ...keysOf.map(again)] };
      }
    }
  }
  return Object.fromEntries(keys.map((key) => [key, again(value[key])]));
}

/** A nested template's parameter as the parent gives it: its value there, else its Default. */
function parameterValue(stackId: string, name: string, declared: { Type: string; Default?: unknown }, given: Record<string, unknown>): unknown {
  const value = name in given ? given[name] : declared.Default;
  if (value === undefined) throw new Error(`Nested stack '${stackId}': its parameter '${name}' is given no value and has no Default`);
  // a list parameter is passed as one comma-separated string, and Ref to it is the list
  const isList = declared.Type === 'CommaDelimitedList' || declared.Type.startsWith('List<');
  if (!isList) return value;
  return typeof value === 'string' ? value.split(',') : { 'Fn::Split': [',', value] };
}

/** The nested stack's resources, conditions and mappings under merged names, and its outputs' values. */
function mergeOne(logicalId: string, resource: TemplateResource, nested: CloudFormationTemplate) {
  const inner = Object.entries(nested.Resources ?? {}).find(([, r]) => r.Type === NESTED_STACK_TYPE);
  if (inner) {
    throw new Error(`Nested stack '${logicalId}' holds a nested stack of its own ('${inner[0]}'): the local runtime reads one level of nested stacks only`);
  }
  const prefixed = (id: string) => `${logicalId}${id}`;
  const resources = nested.Resources ?? {};
  const given = (resource.Properties?.Parameters ?? {}) as Record<string, unknown>;
  const undeclared = Object.keys(given).filter((name) => !nested.Parameters?.[name]);
  if (undeclared.length) throw new Error(`Nested stack '${logicalId}' is given parameters its template does not declare: ${undeclared.join(', ')}`);
  const parameters = Object.fromEntries(Object.entries(nested.Parameters ?? {})
    .map(([name, declared]) => [name, parameterValue(logicalId, name, declared, given)]));

  const scope: Scope = {
    ref(name) {
      if (name === 'AWS::StackName') return { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, logicalId]] };
      if (isPseudo(name)) return undefined;
      if (resources[name]) return { Ref: prefixed(name) };
      if (name in parameters) return parameters[name];
      throw new Error(`Nested stack '${logicalId}': Ref to '${name}', neither a resource nor a parameter of its template`);
    },
    getAtt(id, attribute) {
      if (!resources[id]) throw new Error(`Nested stack '${logicalId}': Fn::GetAtt of '${id}', not a resource of its template`);
      return { 'Fn::GetAtt': [prefixed(id), attribute] };
    },
    condition: prefixed,
    mapping: prefixed,
  };

  const conditions = Object.fromEntries(Object.entries(nested.Conditions ?? {}).map(([name, c]) => [prefixed(name), rewrite(c, scope, true)]));
  // a nested stack deployed under a condition deploys its resources under it, and under their own
  const conditionOf = (own: string | undefined) => {
    if (!resource.Condition || !own) return own ? prefixed(own) : resource.Condition;
    const both = prefixed(`${own}AndStack`);
    conditions[both] = { 'Fn::And': [{ Condition: prefixed(own) }, { Condition: resource.Condition }] };
    return both;
  };
  const merged: Record<string, TemplateResource> = {};
  for (const [id, r] of Object.entries(resources)) {
    const { Properties, DependsOn, Condition, ...rest } = r;
    const condition = conditionOf(Condition);
    merged[prefixed(id)] = {
      ...rest,
      ...(Properties ? { Properties: rewrite(Properties, scope) as Record<string, unknown> } : {}),
      ...(DependsOn ? { DependsOn: typeof DependsOn === 'string' ? prefixed(DependsOn) : DependsOn.map(prefixed) } : {}),
      ...(condition ? { Condition: condition } : {}),
    };
  }
  const mappings = Object.fromEntries(Object.entries(nested.Mappings ?? {}).map(([name, m]) => [prefixed(name), m]));
  const outputs = Object.fromEntries(Object.entries(nested.Outputs ?? {}).map(([name, o]) => [name, rewrite(o.Value, scope)]));
  return { resources: merged, conditions, mappings, outputs };
}

/**
 * The parent template with its nested stacks merged in. `readNested` finds a nested stack's template in the
 * assembly (from its TemplateURL's file asset); it throws when there is none.
 */
export function mergeNestedStacks(
  parent: CloudFormationTemplate,
  readNested: (logicalId: string, resource: TemplateResource) => { templateFile: string; template: CloudFormationTemplate },
): MergedTemplate {
  const stackIds = Object.entries(parent.Resources ?? {}).filter(([, r]) => r.Type === NESTED_STACK_TYPE).map(([id]) => id);
  if (stackIds.length === 0) return { template: parent, nestedStacks: [] };

  const template: CloudFormationTemplate = {
    ...parent,
    Resources: { ...parent.Resources },
    Conditions: { ...parent.Conditions },
    Mappings: { ...parent.Mappings },
  };
  const nestedStacks: NestedStack[] = [];
  const outputs = new Map<string, Record<string, unknown>>();
  for (const logicalId of stackIds) {
    const { templateFile, template: nested } = readNested(logicalId, parent.Resources![logicalId]!);
    nestedStacks.push({ logicalId, templateFile, template: nested });
    const part = mergeOne(logicalId, parent.Resources![logicalId]!, nested);
    for (const [kind, entries] of [['Resources', part.resources], ['Conditions', part.conditions], ['Mappings', part.mappings]] as const) {
      const target = template[kind] as Record<string, unknown>;
      const clash = Object.keys(entries).find((id) => id in target);
      if (clash) throw new Error(`Nested stack '${logicalId}': its ${kind.toLowerCase()} '${clash}' would take a name the parent already uses`);
      Object.assign(target, entries);
    }
    outputs.set(logicalId, part.outputs);
  }

  // a nested output's value may itself name another nested stack's output (a sibling's parameter passed on)
  const resolving = new Set<string>();
  const outputsScope: Scope = {
    ref: () => undefined,
    getAtt(id, attribute) {
      const ofStack = outputs.get(id);
      if (!ofStack || !attribute.startsWith('Outputs.')) return undefined;
      const name = attribute.slice('Outputs.'.length);
      if (!(name in ofStack)) throw new Error(`Fn::GetAtt ${id}.${attribute}: nested stack '${id}' has no output '${name}'`);
      const key = `${id}.${name}`;
      if (resolving.has(key)) throw new Error(`Nested stack outputs refer to each other in a cycle: ${[...resolving, key].join(' -> ')}`);
      resolving.add(key);
      try {
        return rewrite(ofStack[name], outputsScope);
      } finally {
        resolving.delete(key);
      }
    },
    condition: (name) => name,
    mapping: (name) => name,
  };
  for (const kind of ['Resources', 'Conditions', 'Outputs'] as const) {
    if (template[kind]) template[kind] = rewrite(template[kind], outputsScope, kind === 'Conditions') as never;
  }
  return { template, nestedStacks };
}
