import { parseRouteKey, type RoutePattern } from './routing';

/**
 * Reads a stack's API Gateway v2 HTTP APIs from its CloudFormation resources: the routes, the Lambda
 * function behind each, the JWT authorizer in front of each and the CORS configuration. Nothing here is
 * written by hand; whatever `cdk deploy` would create is what the local server serves.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export type CfnResources = Record<string, CfnResource>;

/** Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, ...) to local values; may be async. */
export type Resolve = (value: unknown) => unknown;

export interface JwtAuthorizer {
  logicalId: string;
  name: string;
  /** e.g. '$request.header.Authorization' */
  identitySource: string;
  issuer: string;
  audience: string[];
}

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export interface HttpRoute extends RoutePattern {
  logicalId: string;
  functionArn: string;
  /** The integration's TimeoutInMillis (30 s unless set); past it API Gateway answers 503. */
  timeoutMs: number;
  /** Absent for AuthorizationType NONE. */
  authorizer?: JwtAuthorizer;
  authorizationScopes: string[];
}

export interface HttpApiDefinition {
  logicalId: string;
  name: string;
  apiId: string;
  accountId: string;
  routes: HttpRoute[];
  /** In template order; the first is the one the local token endpoint signs for. */
  authorizers: JwtAuthorizer[];
  cors?: CorsConfig;
}

const API = 'AWS::ApiGatewayV2::Api';
const ROUTE = 'AWS::ApiGatewayV2::Route';
const INTEGRATION = 'AWS::ApiGatewayV2::Integration';
const AUTHORIZER = 'AWS::ApiGatewayV2::Authorizer';

export async function readHttpApis(resources: CfnResources, resolve: Resolve): Promise<HttpApiDefinition[]> {
  const idsOf = (type: string) => Object.keys(resources).filter((id) => resources[id]?.Type === type);
  const apiIds = idsOf(API).filter((id) => props(resources, id).ProtocolType === 'HTTP');
  const accountId = await resolveString(resolve, { Ref: 'AWS::AccountId' }, 'AWS::AccountId').catch(() => '000000000000');
  const references = new References(resolve);

  const apis: HttpApiDefinition[] = [];
  for (const apiLogicalId of apiIds) {
    const belongsToApi = async (id: string) => (await references.find(props(resources, id).ApiId, [apiLogicalId])) === apiLogicalId;
    const authorizerIds = await filterAsync(idsOf(AUTHORIZER), belongsToApi);
    const integrationIds = await filterAsync(idsOf(INTEGRATION), belongsToApi);
    const routeIds = await filterAsync(idsOf(ROUTE), belongsToApi);

    const authorizers = await Promise.all(authorizerIds.map((id) => readAuthorizer(id, props(resources, id), resolve)));
    const routes: HttpRoute[] = [];
    for (const id of routeIds) {
      const route = props(resources, id);
      const where = `route ${id} (${String(route.RouteKey)})`;
      const integrationId = await references.find(route.Target, integrationIds, 'integrations/');
      if (!integrationId) throw new Error(`${where}: its Target names no integration of this API`);
      const integration = await readLambdaProxyIntegration(integrationId, props(resources, integrationId), resolve);
      if (route.AuthorizationType !== undefined && route.AuthorizationType !== 'NONE' && route.AuthorizationType !== 'JWT') {
        throw new Error(`${where}: AuthorizationType ${String(route.AuthorizationType)} is not served locally (only JWT and NONE)`);
      }
      const authorizer = route.AuthorizationType === 'JWT' ? await routeAuthorizer(where, route, authorizers, references) : undefined;
      const routeKey = await resolveString(resolve, route.RouteKey, `${where}: RouteKey`);
      routes.push({
        logicalId: id,
        routeKey,
        ...parseRouteKey(routeKey),
        ...integration,
        ...(authorizer ? { authorizer } : {}),
        authorizationScopes: await resolveStrings(resolve, route.AuthorizationScopes),
      });
    }

    const api = props(resources, apiLogicalId);
    const cors = api.CorsConfiguration ? await readCors(api.CorsConfiguration, resolve) : undefined;
    apis.push({
      logicalId: apiLogicalId,
      name: typeof api.Name === 'string' ? api.Name : apiLogicalId,
      apiId: await resolveString(resolve, { Ref: apiLogicalId }, apiLogicalId).catch(() => apiLogicalId.toLowerCase()),
      accountId,
      routes,
      authorizers,
      ...(cors ? { cors } : {}),
    });
  }
  return apis;
}

async function routeAuthorizer(where: string, route: Record<string, unknown>, authorizers: JwtAuthorizer[], references: References) {
  const id = await references.find(route.AuthorizerId, authorizers.map((a) => a.logicalId));
  const authorizer = authorizers.find((a) => a.logicalId === id);
  if (!authorizer) throw new Error(`${where}: AuthorizationType JWT but its AuthorizerId names no JWT authorizer of this API`);
  return authorizer;
}

async function readAuthorizer(logicalId: string, properties: Record<string, unknown>, resolve: Resolve): Promise<JwtAuthorizer> {
  if (properties.AuthorizerType !== 'JWT') {
    throw new Error(`authorizer ${logicalId}: AuthorizerType ${String(properties.AuthorizerType)} is not served locally (only JWT)`);
  }
  const jwt = (properties.JwtConfiguration ?? {}) as Record<string, unknown>;
  const [identitySource = '$request.header.Authorization'] = await resolveStrings(resolve, properties.IdentitySource);
  return {
    logicalId,
    name: typeof properties.Name === 'string' ? properties.Name : logicalId,
    identitySource,
    issuer: await resolveString(resolve, jwt.Issuer, `authorizer ${logicalId}: JwtConfiguration.Issuer`),
    audience: await resolveStrings(resolve, jwt.Audience),
  };
}

async function readLambdaProxyIntegration(
  logicalId: string,
  properties: Record<string, unknown>,
  resolve: Resolve,
): Promise<{ functionArn: string; timeoutMs: number }> {
  const { IntegrationType: type, PayloadFormatVersion: version } = properties;
  if (type !== 'AWS_PROXY' || version !== '2.0') {
    throw new Error(
      `integration ${logicalId}: ${String(type)} with payload format ${String(version)} is not served locally (only AWS_PROXY to Lambda with payload format 2.0)`,
    );
  }
  const uri = await resolveString(resolve, properties.IntegrationUri, `integration ${logicalId}: IntegrationUri`);
  const timeout = properties.TimeoutInMillis === undefined ? undefined : Number(await resolve(properties.TimeoutInMillis));
  return {
    // The uri is a function ARN, or the API Gateway invocation URI that wraps one.
    functionArn: /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri)?.[1] ?? uri,
    timeoutMs: timeout && Number.isFinite(timeout) ? timeout : 30_000,
  };
}

async function readCors(value: unknown, resolve: Resolve): Promise<CorsConfig> {
  const cors = ((await resolve(value)) ?? {}) as Record<string, unknown>;
  const list = (field: unknown) => (Array.isArray(field) ? field.map(String) : []);
  return {
    allowOrigins: list(cors.AllowOrigins),
    allowMethods: list(cors.AllowMethods).map((m) => m.toUpperCase()),
    allowHeaders: list(cors.AllowHeaders).map((h) => h.toLowerCase()),
    exposeHeaders: list(cors.ExposeHeaders).map((h) => h.toLowerCase()),
    ...(cors.MaxAge !== undefined ? { maxAge: Number(cors.MaxAge) } : {}),
    allowCredentials: cors.AllowCredentials === true || cors.AllowCredentials === 'true',
  };
}

/**
 * Finds which resource a property points at. CDK writes references as `{ Ref: <logical id> }`, possibly
 * inside an Fn::Join (a route's `integrations/<id>` target); anything else is compared after resolving,
 * against each candidate's resolved Ref.
 */
class References {
  private readonly resolvedRefs = new Map<string, Promise<unknown>>();
  constructor(private readonly resolve: Resolve) {}

  async find(value: unknown, candidates: string[], prefix = ''): Promise<string | undefined> {
    const direct = refsIn(value).find((ref) => candidates.includes(ref));
    if (direct) return direct;
    const resolved = await this.resolve(value);
    if (typeof resolved !== 'string') return undefined;
    const target = resolved.startsWith(prefix) ? resolved.slice(prefix.length) : resolved;
    for (const candidate of candidates) {
      if (candidate === target || (await this.resolvedRef(candidate)) === target) return candidate;
    }
    return undefined;
  }

  private resolvedRef(logicalId: string): Promise<unknown> {
    let ref = this.resolvedRefs.get(logicalId);
    if (!ref) {
      ref = Promise.resolve(this.resolve({ Ref: logicalId })).catch(() => undefined);
      this.resolvedRefs.set(logicalId, ref);
    }
    return ref;
  }
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return [record.Ref];
  return Object.values(record).flatMap(refsIn);
}

function props(resources: CfnResources, logicalId: string): Record<string, unknown> {
  return resources[logicalId]?.Properties ?? {};
}

async function resolveString(resolve: Resolve, value: unknown, what: string): Promise<string> {
  const resolved = await resolve(value);
  if (typeof resolved !== 'string') throw new Error(`${what} did not resolve to a string (got ${JSON.stringify(resolved)})`);
  return resolved;
}

async function resolveStrings(resolve: Resolve, value: unknown): Promise<string[]> {
  if (value === undefined) return [];
  const resolved = await resolve(value);
  return (Array.isArray(resolved) ? resolved : [resolved]).map(String);
}

async function filterAsync<T>(items: T[], predicate: (item: T) => Promise<boolean>): Promise<T[]> {
  const keep = await Promise.all(items.map(predicate));
  return items.filter((_, index) => keep[index]);
}
