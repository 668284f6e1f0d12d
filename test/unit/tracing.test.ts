import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from '../../schemas/zod';

/** the trace context's store, which the X-Ray SDK creates (with a hook on every promise) once it is loaded */
const xrayNamespaceLoaded = () => 'AWSXRay' in ((process as { namespaces?: Record<string, unknown> }).namespaces ?? {});

async function doubling() {
  const { taskHandler } = await import('../../functions/platform/task-handler');
  return taskHandler(z.object({ n: z.number() }), async ({ n }) => ({ twice: n * 2 }));
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('workflow tasks and tracing', () => {
  // in this order: once loaded, the X-Ray SDK stays in the process
  it('does not load the X-Ray SDK where tracing is off, and the task still runs', async () => {
    expect(xrayNamespaceLoaded()).toBe(false);
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    const handler = await doubling();
    expect(await handler({ n: 21 }, { awsRequestId: 'r-1' } as Context)).toEqual({ twice: 42 });
    expect(xrayNamespaceLoaded()).toBe(false);
  });

  it('loads the Tracer where tracing is on, and the task runs under it', async () => {
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    const handler = await doubling();
    expect(xrayNamespaceLoaded()).toBe(true);
    expect(await handler({ n: 2 }, { awsRequestId: 'r-2' } as Context)).toEqual({ twice: 4 });
  });
});
