import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { dynamoDbProxyService, startEdge, targetPrefixMatcher, type Edge } from '../../local/edge/edge-server';

const post = (url: string, headers: Record<string, string>, body = '{}') =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', ...headers }, body });

describe('the local edge', () => {
  let edge: Edge;
  let upstream: Server;
  let seen: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[];

  beforeAll(async () => {
    // a stand-in for DynamoDB Local that echoes what it received
    seen = [];
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r-1' });
        res.end('{"TableNames":[]}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    edge = await startEdge({ port: 0 });
    edge.register(dynamoDbProxyService(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`));
    edge.register({
      name: 'Mail',
      matches: (req) => req.url?.startsWith('/v2/email/') ?? false,
      handle: (_req, res, body) => {
        res.writeHead(200);
        res.end(`mail ${body.length}`);
      },
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('listens on 127.0.0.1', () => {
    expect(edge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('forwards DynamoDB requests verbatim, host aside', async () => {
    const res = await post(
      `${edge.url}/`,
      { 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: 'AWS4-HMAC-SHA256 Credential=local/x, Signature=abc' },
      '{"Limit":1}',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-requestid')).toBe('r-1');
    expect(await res.json()).toEqual({ TableNames: [] });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/', body: '{"Limit":1}' });
    expect(request.headers).toMatchObject({
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      authorization: 'AWS4-HMAC-SHA256 Credential=local/x, Signature=abc',
      host: new URL(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`).host,
    });
  });

  it('dispatches by path too', async () => {
    const res = await post(`${edge.url}/v2/email/outbound-emails`, {}, '12345');
    expect(await res.text()).toBe('mail 5');
  });

  it('answers an unknown operation in the AWS JSON error shape, naming it', async () => {
    const res = await post(`${edge.url}/`, { 'x-amz-target': 'AmazonSQS.SendMessage' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('UnknownOperationException');
    expect(body.message).toContain('AmazonSQS.SendMessage');
    expect(body.message).toContain('POST /');
  });

  it('says which port is taken', async () => {
    const port = Number(new URL(edge.url).port);
    await expect(startEdge({ port })).rejects.toThrow(`port ${port} is in use`);
  });

  it('answers 502 when the DynamoDB target is down', async () => {
    const down = await startEdge({ port: 0 });
    try {
      down.register(dynamoDbProxyService('http://127.0.0.1:1'));
      const res = await post(`${down.url}/`, { 'x-amz-target': 'DynamoDB_20120810.ListTables' });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { __type: string }).__type).toBe('ServiceUnavailable');
    } finally {
      await down.stop();
    }
  });
});

describe('targetPrefixMatcher', () => {
  it('matches on the X-Amz-Target prefix only', () => {
    const matches = targetPrefixMatcher('AWSEvents.');
    const req = (target?: string) => ({ headers: target ? { 'x-amz-target': target } : {} }) as never;
    expect(matches(req('AWSEvents.PutEvents'))).toBe(true);
    expect(matches(req('AWSStepFunctions.StartExecution'))).toBe(false);
    expect(matches(req())).toBe(false);
  });
});
