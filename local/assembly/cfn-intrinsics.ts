import { createHash } from 'node:crypto';
import type { StackArtifact, TemplateResource } from './cloud-assembly';

/**
 * Resolves CloudFormation intrinsic functions of one stack's template to the values they would have
 * once deployed locally, so that every local service derives names, ids and ARNs the same way.
 *
 * Physical names: a resource's explicit name property when it has one (FunctionName, TableName, ...),
 * else `<stackName>-<logicalId>` for every type, tables included (CloudFormation would add a random
 * suffix; locally the name is stable across restarts). Ids that AWS generates (user pool, user pool
 * client, HTTP API) are derived deterministically from `<stackName>/<logicalId>`.
 */

export interface ResolverEnv {
  region: string;
  accountId: string;
  stackName: string;
  /** Values for template parameters; a parameter not given here resolves to its `Default`. */
  parameters?: Record<string, unknown>;
  /**
   * Where an HTTP API is really served (the local API server's URL), read when a value is resolved,
   * so a function's environment built after the server started points at it. Omitted or undefined:
   * the cloud's `https://<id>.execute-api.<region>.amazonaws.com`.
   */
  apiEndpoint?: (logicalId: string) => string | undefined;
}

export interface Resolver {
  /** Resolves every intrinsic inside `value`; `AWS::NoValue` drops the key or element it stands in. */
  resolve(value: unknown): unknown;
  /** What `Ref` returns for the resource (a name for most types; an id, URL or ARN for some). */
  physicalId(logicalId: string): string;
  /** The resource's name: its explicit name property, else `<stackName>-<logicalId>`. */
  nameOf(logicalId: string): string;
  arnOf(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): unknown;
}

/** Tables' stream ARNs end in a creation timestamp; locally it is a fixed one. */
export const LOCAL_STREAM_LABEL = '1970-01-01T00:00:00.000';

const NO_VALUE = Symbol('AWS::NoValue');

const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::SES::ConfigurationSet': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::Cognito::UserPoolClient': 'ClientName',
};

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER_ALNUM}`;

/** A stable pseudo-random id of `length` characters from `alphabet` (length <= 32). */
function derivedId(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join('');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createResolver(stack: Pick<StackArtifact, 'template' | 'resources'>, env: ResolverEnv): Resolver {
  const { region, accountId: account, stackName } = env;
  const template = stack.template;
  const conditions = new Map<string, boolean>();
  const naming = new Set<string>();

  const resource = (logicalId: string): TemplateResource => {
    const r = stack.resources[logicalId];
    if (!r) throw new Error(`Unknown resource '${logicalId}' in stack ${stackName}`);
    return r;
  };
  const seed = (logicalId: string) => `${stackName}/${logicalId}`;

  function nameOf(logicalId: string): string {
    const r = resource(logicalId);
    const property = NAME_PROPERTY[r.Type];
    const explicit = property ? r.Properties?.[property] : undefined;
    if (explicit === undefined) return `${stackName}-${logicalId}`;
    if (naming.has(logicalId)) throw new Error(`Circular reference in the name of '${logicalId}'`);
    naming.add(logicalId);
    try {
      const name = resolve(explicit); // may be AWS::NoValue behind an Fn::If
      return name === undefined ? `${stackName}-${logicalId}` : String(name);
    } finally {
      naming.delete(logicalId);
    }
  }

  function physicalId(logicalId: string): string {
    switch (resource(logicalId).Type) {
      case 'AWS::Cognito::UserPool':
        return `${region}_${derivedId(seed(logicalId), 9, ALNUM)}`;
      case 'AWS::Cognito::UserPoolClient':
        return derivedId(seed(logicalId), 26, LOWER_ALNUM);
      case 'AWS::ApiGatewayV2::Api':
        return derivedId(seed(logicalId), 10, LOWER_ALNUM);
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${nameOf(logicalId)}`;
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SecretsManager::Secret':
        return arnOf(logicalId);
      default:
        return nameOf(logicalId);
    }
  }

  function arnOf(logicalId: string): string {
    const r = resource(logicalId);
    const name = () => nameOf(logicalId);
    switch (r.Type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name()}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${region}:${account}:table/${name()}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name()}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${name()}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${name()}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name()}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${account}:event-bus/${name()}`;
      case 'AWS::Events::Rule': {
        const bus = r.Properties?.EventBusName === undefined ? 'default' : String(resolve(r.Properties.EventBusName));
        return `arn:aws:events:${region}:${account}:rule/${bus === 'default' ? '' : `${bus}/`}${name()}`;
      }
      case 'AWS::Cognito::UserPool':
        return `arn:aws:cognito-idp:${region}:${account}:userpool/${physicalId(logicalId)}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${name()}:*`;
      case 'AWS::SecretsManager::Secret':
        // Secrets Manager ends a secret's ARN with a dash and six random characters
        return `arn:aws:secretsmanager:${region}:${account}:secret:${name()}-${derivedId(seed(logicalId), 6, ALNUM)}`;
      default:
        throw new Error(`No local ARN format for '${logicalId}' (${r.Type})`);
    }
  }

  function getAtt(logicalId: string, attribute: string): unknown {
    const type = resource(logicalId).Type;
    const unsupported = () =>
      new Error(`Fn::GetAtt: attribute '${attribute}' of resource '${logicalId}' (${type}) is not supported locally`);
    if (attribute === 'Arn') {
      try {
        return arnOf(logicalId);
      } catch {
        throw unsupported();
      }
    }
    const providerName = () => `cognito-idp.${region}.amazonaws.com/${physicalId(logicalId)}`;
    const attributes: Record<string, Record<string, () => unknown>> = {
      'AWS::DynamoDB::Table': {
        StreamArn: () => `${arnOf(logicalId)}/stream/${LOCAL_STREAM_LABEL}`,
        LatestStreamArn: () => `${arnOf(logicalId)}/stream/${LOCAL_STREAM_LABEL}`,
      },
      'AWS::Cognito::UserPool': {
        ProviderName: providerName,
        ProviderURL: () => `https://${providerName()}`,
        UserPoolId: () => physicalId(logicalId),
      },
      'AWS::Cognito::UserPoolClient': { ClientId: () => physicalId(logicalId), Name: () => nameOf(logicalId) },
      'AWS::SQS::Queue': { QueueUrl: () => physicalId(logicalId), QueueName: () => nameOf(logicalId) },
      'AWS::SNS::Topic': { TopicArn: () => arnOf(logicalId), TopicName: () => nameOf(logicalId) },
      'AWS::StepFunctions::StateMachine': { Name: () => nameOf(logicalId) },
      'AWS::Events::EventBus': { Name: () => nameOf(logicalId) },
      // not emulated: the local runtime serves the console on the API's origin (see the function runtime's consoleUrl)
      'AWS::CloudFront::Distribution': { DomainName: () => `${physicalId(logicalId).toLowerCase()}.cloudfront.net` },
      'AWS::ApiGatewayV2::Api': {
        ApiId: () => physicalId(logicalId),
        ApiEndpoint: () => env.apiEndpoint?.(logicalId) ?? `https://${physicalId(logicalId)}.execute-api.${region}.amazonaws.com`,
      },
    };
    attributes['AWS::DynamoDB::GlobalTable'] = attributes['AWS::DynamoDB::Table']!;
    const get = attributes[type]?.[attribute];
    if (!get) throw unsupported();
    return get();
  }

  function ref(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${derivedId(stackName, 32, '0123456789abcdef')}`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (stack.resources[name]) return physicalId(name);
    const parameter = template.Parameters?.[name];
    if (parameter) {
      const value = env.parameters?.[name] ?? parameter.Default;
      if (value === undefined) throw new Error(`Ref: parameter '${name}' has no value and no Default`);
      return value;
    }
    throw new Error(`Ref: '${name}' is neither a resource, a parameter nor a pseudo parameter of stack ${stackName}`);
  }

  /** `Res.Attr` in Fn::Sub and the string form of Fn::GetAtt: the attribute is all after the first dot. */
  function getAttDotted(expression: string): unknown {
    const dot = expression.indexOf('.');
    return getAtt(expression.slice(0, dot), expression.slice(dot + 1));
  }

  function sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}]*)\}/g, (_match, raw: string) => {
      if (raw.startsWith('!')) return `\${${raw.slice(1)}}`; // ${!Literal} is an escaped literal
      const name = raw.trim();
      let value: unknown;
      if (name in variables) value = resolve(variables[name]);
      else if (name.includes('.')) value = getAttDotted(name);
      else value = ref(name);
      return String(value);
    });
  }

  function condition(name: string): boolean {
    let value = conditions.get(name);
    if (value === undefined) {
      const definition = template.Conditions?.[name];
      if (definition === undefined) throw new Error(`Unknown condition '${name}' in stack ${stackName}`);
      value = evaluate(definition);
      conditions.set(name, value);
    }
    return value;
  }

  function evaluate(expression: unknown): boolean {
    if (typeof expression === 'boolean') return expression;
    if (isObject(expression)) {
      const [[key, args]] = Object.entries(expression) as [[string, unknown]];
      const list = Array.isArray(args) ? args : [args];
      switch (key) {
        case 'Fn::Equals': {
          const [a, b] = list.map(resolve);
          const primitive = (v: unknown) => typeof v !== 'object' || v === null;
          return primitive(a) && primitive(b) ? String(a) === String(b) : JSON.stringify(a) === JSON.stringify(b);
        }
        case 'Fn::Not':
          return !evaluate(list[0]);
        case 'Fn::And':
          return list.every(evaluate);
        case 'Fn::Or':
          return list.some(evaluate);
        case 'Condition':
          return condition(String(args));
      }
    }
    throw new Error(`Not a condition: ${JSON.stringify(expression)}`);
  }

  const asList = (value: unknown, fn: string): unknown[] => {
    const resolved = resolveValue(value);
    if (!Array.isArray(resolved)) throw new Error(`${fn}: expected a list, got ${JSON.stringify(resolved)}`);
    return resolved;
  };
  const asArgs = (value: unknown, fn: string, count: number): unknown[] => {
    if (!Array.isArray(value) || value.length !== count) throw new Error(`${fn}: expected ${count} arguments`);
    return value;
  };

  function intrinsic(fn: string, args: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return ref(String(args));
      case 'Fn::GetAtt': {
        if (typeof args === 'string') return getAttDotted(args);
        const [logicalId, attribute] = asArgs(args, fn, 2);
        return getAtt(String(logicalId), String(resolveValue(attribute)));
      }
      case 'Fn::Join': {
        const [delimiter, list] = asArgs(args, fn, 2);
        return asList(list, fn).map(String).join(String(delimiter));
      }
      case 'Fn::Sub': {
        if (typeof args === 'string') return sub(args, {});
        const [text, variables] = asArgs(args, fn, 2);
        return sub(String(resolveValue(text)), isObject(variables) ? variables : {});
      }
      case 'Fn::Select': {
        const [index, list] = asArgs(args, fn, 2);
        const items = asList(list, fn);
        const i = Number(resolveValue(index));
        if (!(i >= 0 && i < items.length)) throw new Error(`Fn::Select: index ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, text] = asArgs(args, fn, 2);
        return String(resolveValue(text)).split(String(delimiter));
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = asArgs(args, fn, 3);
        return resolveValue(condition(String(name)) ? whenTrue : whenFalse);
      }
      case 'Fn::Base64':
        return Buffer.from(String(resolveValue(args))).toString('base64');
      case 'Fn::GetAZs': {
        const azRegion = String(resolveValue(args) || region);
        return ['a', 'b', 'c'].map((zone) => `${azRegion}${zone}`);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = asArgs(args, fn, 3).map((v) => String(resolveValue(v)));
        const value = template.Mappings?.[map!]?.[top!]?.[second!];
        if (value === undefined) throw new Error(`Fn::FindInMap: no ${map}.${top}.${second}`);
        return resolveValue(value);
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return evaluate({ [fn]: args });
      default:
        throw new Error(`Intrinsic function ${fn} is not supported locally`);
    }
  }

  function resolveValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolveValue).filter((v) => v !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      return intrinsic(keys[0]!, value[keys[0]!]);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = resolveValue(value[key]);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  function resolve(value: unknown): unknown {
    const resolved = resolveValue(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  return { resolve, physicalId, nameOf, arnOf, getAtt };
}
