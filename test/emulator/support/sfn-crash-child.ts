/**
 * A local Step Functions service in a process of its own, for the crash test: it prints
 * `READY <edgeUrl>` once up. Its stub functions append each call to `<dataDir>/calls.log`.
 * Usage: node --import tsx sfn-crash-child.ts <dataDir>
 */
import '../../../local/quiet-sdk-warning';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalClock } from '../../../local/clock';
import { startEdge } from '../../../local/edge/edge-server';
import { lambdaInvokeService } from '../../../local/lambda/lambda-invoke-service';
import { clockService, createStepFunctionsService } from '../../../local/stepfunctions';

const INVOKE = 'arn:aws:states:::lambda:invoke';
export const CRASH_MACHINES = {
  waits: {
    StartAt: 'First',
    States: {
      First: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'first', 'Payload.$': '$' }, ResultSelector: { 'first.$': '$.Payload' }, Next: 'Sleep' },
      Sleep: { Type: 'Wait', Seconds: 3600, Next: 'Second' },
      Second: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: 'second', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true },
    },
  },
  callback: {
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task', Resource: `${INVOKE}.waitForTaskToken`, TimeoutSeconds: 86400,
        Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token' } }, End: true,
      },
    },
  },
};

async function main() {
  const dataDir = process.argv[2]!;
  const calls = path.join(dataDir, 'calls.log');
  const clock = createLocalClock({ stateFile: path.join(dataDir, 'clock.json') });
  const edge = await startEdge({ port: 0 });
  const service = createStepFunctionsService({ edgeUrl: edge.url, clock, dataDir: path.join(dataDir, 'sfn') });
  edge.register(service.edgeService);
  edge.register(clockService(clock));
  edge.register(
    lambdaInvokeService({
      async invoke(name, event) {
        appendFileSync(calls, `${JSON.stringify({ name, event })}\n`);
        return { from: name };
      },
    }),
  );
  for (const [name, definition] of Object.entries(CRASH_MACHINES)) service.createStateMachine(name, definition);
  await service.resumeAll();
  process.stdout.write(`READY ${edge.url}\n`);
}

void main();
