import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCloudAssembly, type StackArtifact } from '../../local/assembly/cloud-assembly';
import { createResolver, type Resolver } from '../../local/assembly/cfn-intrinsics';
import { createFunctionRuntime, LambdaInvokeError, type FunctionRuntime } from '../../local/lambda/function-runtime';

const root = join(import.meta.dirname, '../..');
const region = 'eu-west-1';

interface EchoResult {
  event: unknown;
  runningWithThis: number;
  table?: { TableName: string };
  env: Record<string, string>;
  context: Record<string, unknown>;
}

/** Stands in for the local edge: answers DynamoDB DescribeTable and records what it was sent. */
function startFakeEdge(requests: { headers: IncomingHttpHeaders; body: string }[]): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      const { TableName } = JSON.parse(body) as { TableName: string };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Table: { TableName, TableStatus: 'ACTIVE' } }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('local Lambda runtime on a synthesized fixture app', () => {
  // Inside the project (and out of git and eslint's way), so that the bundles' `@aws-sdk/*` imports
  // resolve to the project's node_modules as they would from <project>/cdk.out.
  const cacheDir = join(root, 'node_modules/.cache');
  let cdkOut: string;
  let stack: StackArtifact;
  let resolver: Resolver;
  let runtime: FunctionRuntime;
  let edge: Server;
  const edgeRequests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const logs: { fn: string; line: string }[] = [];
  const logicalIdOf = (type: string, prefix = '') =>
    Object.keys(stack.resources).find((id) => stack.resources[id]!.Type === type && id.startsWith(prefix))!;

  beforeAll(async () => {
    mkdirSync(cacheDir, { recursive: true });
    cdkOut = mkdtempSync(join(cacheDir, 'local-lambda-test-'));
    await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), [join(root, 'test/fixtures/local-app/app.ts')], {
      env: { ...process.env, CDK_OUTDIR: cdkOut, CDK_DISABLE_VERSION_CHECK: 'true' },
    });
    stack = loadCloudAssembly(cdkOut).stacks[0]!;
    resolver = createResolver(stack, { region, accountId: '123456789012', stackName: stack.stackName });
    edge = await startFakeEdge(edgeRequests);
    process.env.PARENT_ONLY = 'must not leak into a function';
    runtime = createFunctionRuntime({
      stack,
      resolver,
      region,
      edgeUrl: `http://127.0.0.1:${(edge.address() as AddressInfo).port}`,
      log: (fn, line) => logs.push({ fn, line }),
    });
  });

  afterAll(async () => {
    delete process.env.PARENT_ONLY;
    await runtime?.stop();
    edge?.close();
    if (cdkOut) rmSync(cdkOut, { recursive: true, force: true });
  });

  it('loads the stack and resolves the function environment', () => {
    expect(stack.stackName).toBe('LocalAppFixture');
    expect(stack.region).toBe(region);
    const table = logicalIdOf('AWS::DynamoDB::GlobalTable');
    const echo = stack.resources[logicalIdOf('AWS::Lambda::Function', 'Echo')]!;
    const variables = resolver.resolve((echo.Properties!.Environment as { Variables: unknown }).Variables);
    expect(variables).toEqual({
      TABLE_NAME: `LocalAppFixture-${table}`,
      TABLE_ARN: `arn:aws:dynamodb:${region}:123456789012:table/LocalAppFixture-${table}`,
      MARKER: 'echo',
    });
    expect(runtime.functions().map((f) => f.logicalId).sort()).toEqual(
      Object.keys(stack.resources).filter((id) => stack.resources[id]!.Type === 'AWS::Lambda::Function').sort(),
    );
  });

  it('invokes a function with its resolved environment, what Lambda sets, and a context', async () => {
    const echoId = logicalIdOf('AWS::Lambda::Function', 'Echo');
    const fn = runtime.functions().find((f) => f.logicalId === echoId)!;
    const result = (await runtime.invoke(echoId, { hello: 'world', log: 'from the handler' })) as EchoResult;

    expect(result.event).toEqual({ hello: 'world', log: 'from the handler' });
    expect(result.env).toMatchObject({
      TABLE_NAME: resolver.physicalId(logicalIdOf('AWS::DynamoDB::GlobalTable')),
      MARKER: 'echo',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      _HANDLER: 'index.handler',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(result.env.PARENT_ONLY).toBeUndefined();
    expect(process.env.TABLE_NAME).toBeUndefined();
    expect(result.context).toMatchObject({
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: '128',
      logGroupName: `/aws/lambda/${fn.name}`,
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(result.context.remainingMs).toBeGreaterThan(1000);
    expect(result.context.remainingMs).toBeLessThanOrEqual(3000);

    const requestId = result.context.awsRequestId as string;
    const lines = logs.filter((l) => l.fn === fn.name).map((l) => l.line);
    expect(lines).toContain(`START RequestId: ${requestId} Version: $LATEST`);
    expect(lines.some((l) => l.includes(`\t${requestId}\tINFO\tfrom the handler`))).toBe(true);
    expect(lines).toContain(`END RequestId: ${requestId}`);
  });

  it('isolates functions from each other and finds them by name or ARN', async () => {
    const other = runtime.functions().find((f) => f.logicalId.startsWith('OtherEcho'))!;
    expect(runtime.findByArn(other.arn)).toBe(other.logicalId);
    expect(runtime.findByArn(`${other.arn}:$LATEST`)).toBe(other.logicalId);
    const [byName, byArn] = (await Promise.all([runtime.invoke(other.name, {}), runtime.invoke(other.arn, {})])) as EchoResult[];
    expect(byName!.env).toMatchObject({ MARKER: 'other', AWS_LAMBDA_FUNCTION_NAME: other.name });
    expect(byArn!.env.MARKER).toBe('other');
    await expect(runtime.invoke('NoSuchFunction', {})).rejects.toMatchObject({ errorType: 'ResourceNotFoundException' });
  });

  it('sends AWS SDK calls from a handler to the edge URL with local credentials', async () => {
    const result = (await runtime.invoke(logicalIdOf('AWS::Lambda::Function', 'Echo'), { describeTable: true })) as EchoResult;
    expect(result.table?.TableName).toBe(result.env.TABLE_NAME);
    const request = edgeRequests.at(-1)!;
    expect(request.headers['x-amz-target']).toBe('DynamoDB_20120810.DescribeTable');
    expect(request.headers.authorization).toContain(`Credential=local/`);
    expect(request.headers.authorization).toContain(`/${region}/dynamodb/`);
  });

  it('runs concurrent invocations of one function side by side', async () => {
    const echoId = logicalIdOf('AWS::Lambda::Function', 'Echo');
    const results = (await Promise.all([400, 400, 400].map((sleepMs) => runtime.invoke(echoId, { sleepMs })))) as EchoResult[];
    // the last to start found the other two still running (one after the other, each would find itself alone)
    expect(Math.max(...results.map((r) => r.runningWithThis))).toBe(3);
    expect(new Set(results.map((r) => r.context.awsRequestId)).size).toBe(3);
  });

  it('runs at most 16 invocations of one function at once; the others wait their turn, and their timeout starts when they run', async () => {
    // Sleepy times out after 1 s: 40 invocations of 600 ms all at once would be fine, but in turns of 16
    // the last ones start after 1.2 s, and succeed only because their 1 s counts from their start
    const results = (await Promise.all(Array.from({ length: 40 }, () => runtime.invoke(logicalIdOf('AWS::Lambda::Function', 'Sleepy'), { sleepMs: 600 })))) as EchoResult[];
    expect(results).toHaveLength(40);
    expect(Math.max(...results.map((r) => r.runningWithThis))).toBe(16);
  });

  it('reports a thrown error as Lambda does', async () => {
    const error = await runtime.invoke(logicalIdOf('AWS::Lambda::Function', 'Echo'), { fail: 'bad input' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaInvokeError);
    expect((error as LambdaInvokeError).toJSON()).toMatchObject({ errorType: 'RangeError', errorMessage: 'bad input' });
    // the bundle's source map points the trace at the handler's source
    expect((error as LambdaInvokeError).trace.join('\n')).toContain('echo.ts');
  });

  it('times out past the function Timeout, then starts a fresh worker', async () => {
    const sleepy = logicalIdOf('AWS::Lambda::Function', 'Sleepy');
    await expect(runtime.invoke(sleepy, { sleepMs: 10_000 })).rejects.toMatchObject({
      errorType: 'Sandbox.Timedout',
      message: 'Task timed out after 1.00 seconds',
    });
    expect(((await runtime.invoke(sleepy, { again: true })) as EchoResult).event).toEqual({ again: true });
  });

  it('survives a crash of the execution environment', async () => {
    const echoId = logicalIdOf('AWS::Lambda::Function', 'Echo');
    await expect(runtime.invoke(echoId, { crash: true })).rejects.toMatchObject({
      errorType: 'Runtime.ExitError',
      message: expect.stringContaining('crashed outside the handler'),
    });
    expect(((await runtime.invoke(echoId, { after: 'crash' })) as EchoResult).event).toEqual({ after: 'crash' });
  });

  it('supports callback-style handlers', async () => {
    const callback = logicalIdOf('AWS::Lambda::Function', 'Callback');
    expect(await runtime.invoke(callback, { n: 1 })).toEqual({ called: 'back', event: { n: 1 } });
    await expect(runtime.invoke(callback, { fail: 'nope' })).rejects.toMatchObject({ errorType: 'Error', errorMessage: 'nope' });
  });

  it('stops a worker left idle, as Lambda reclaims an idle environment, and never one still running an invocation', async () => {
    const idleRuntime = createFunctionRuntime({ stack, resolver, region, edgeUrl: 'http://127.0.0.1:1', log: () => {}, idleWorkerMs: 200 });
    try {
      const fn = idleRuntime.functions().find((f) => f.logicalId.startsWith('Echo'))!;
      // sleeps past the idle time: still running, it is not idle
      const first = (await idleRuntime.invoke(fn.logicalId, { sleepMs: 1000 })) as EchoResult;
      expect(first.event).toEqual({ sleepMs: 1000 });
      await vi.waitFor(() => expect(idleRuntime.warmFunctions()).toEqual([]), { timeout: 30_000 });
      // the next invocation starts a fresh environment: a log stream of its own
      const second = (await idleRuntime.invoke(fn.logicalId, { again: true })) as EchoResult;
      expect(second.event).toEqual({ again: true });
      expect(second.context.logStreamName).not.toBe(first.context.logStreamName);
      expect(idleRuntime.warmFunctions()).toEqual([fn.name]);
    } finally {
      await idleRuntime.stop();
    }
  });

  it('appends function output to <logDir>/<functionName>.log when no log callback is given', async () => {
    const logDir = join(cdkOut, 'logs');
    const fileRuntime = createFunctionRuntime({ stack, resolver, region, edgeUrl: 'http://127.0.0.1:1', logDir });
    const fn = fileRuntime.functions().find((f) => f.logicalId.startsWith('OtherEcho'))!;
    await fileRuntime.invoke(fn.logicalId, { log: 'into the file' });
    await fileRuntime.stop();
    const content = readFileSync(join(logDir, `${fn.name}.log`), 'utf8');
    expect(content).toMatch(/START RequestId: .*\n.*\tINFO\tinto the file\n/);
    expect(content).toContain('REPORT RequestId:');
  });
});
