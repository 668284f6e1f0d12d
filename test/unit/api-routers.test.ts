import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { operationOf, ROUTES } from '../../schemas/api/routes';

/**
 * Every domain's API function loads (its operations match the route catalogue, or it throws when it
 * loads) and answers what it has no route for with problem+json, before touching any AWS service.
 */
const domains = [...new Set(ROUTES.map((route) => operationOf(route).domain))];
type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const context = { awsRequestId: 'req-1', functionName: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const eventFor = (method: string, path: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: {},
  pathParameters: { proxy: path.slice(1) },
  requestContext: { requestId: 'req-1', http: { method, path } },
  isBase64Encoded: false,
}) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

const load = async (domain: string) => (await import(`../../functions/${domain}/api.ts`)) as { handler: ApiHandler };

describe('the API functions', () => {
  it.each(domains)('%s loads with an operation for each of its catalogue routes', async (domain) => {
    expect(typeof (await load(domain)).handler).toBe('function');
  });

  it('answer a path none of their routes has with a problem+json 404', async () => {
    const { handler } = await load('records');
    const response = await handler(eventFor('GET', '/accounts/a/b/c'), context);
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(String(response.body)).detail).toBe('no route GET /accounts/a/b/c');
  });

  it('answer a method a path does not have with 405 and the methods it has', async () => {
    const { handler } = await load('approvals');
    const response = await handler(eventFor('DELETE', '/approvals/a-1/audit'), context);
    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('GET');
  });

  it('refuse a route for signed-in users when the request carries no verified token', async () => {
    const { handler } = await load('records');
    const response = await handler(eventFor('GET', '/accounts'), context);
    expect(response.statusCode).toBe(401);
  });
});
