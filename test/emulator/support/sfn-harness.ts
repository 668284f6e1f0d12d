import '../../../local/quiet-sdk-warning';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalClock, type LocalClock } from '../../../local/clock';
import { startEdge, type Edge, type EdgeService } from '../../../local/edge/edge-server';
import { lambdaInvokeService, type LocalFunctions } from '../../../local/lambda/lambda-invoke-service';
import { countedActivity, idleProbeService } from '../../../local/idle-probe';
import { clockService, createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { until } from '../../integration/support/until';

export const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export interface SfnHarness {
  edge: Edge;
  clock: LocalClock;
  service: StepFunctionsService;
  sfn: SFNClient;
  dataDir: string;
  /** creates the state machine (a fresh name each call) and returns its ARN */
  machine(definition: object): Promise<string>;
  start(stateMachineArn: string, input?: unknown): Promise<string>;
  /** polls DescribeExecution until the execution leaves RUNNING (deadline 20 s) */
  finished(executionArn: string): Promise<Awaited<ReturnType<SFNClient['send']>> & Record<string, any>>;
  /** runs a definition to its end and returns the DescribeExecution reply */
  run(definition: object, input?: unknown): Promise<Record<string, any>>;
  history(executionArn: string): Promise<HistoryEvent[]>;
  /** resolves once the execution's history has an event of `type` */
  reached(executionArn: string, type: string): Promise<HistoryEvent>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startSfnHarness(opts: { functions?: LocalFunctions; extra?: EdgeService[]; dataDir?: string } = {}): Promise<SfnHarness> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'sfn-test-'));
  const edge = await startEdge({ port: 0 });
  const clock = createLocalClock();
  const service = createStepFunctionsService({ edgeUrl: edge.url, clock, dataDir });
  edge.register(service.edgeService);
  edge.register(clockService(clock));
  edge.register(idleProbeService(clock, [countedActivity('Step Functions task call(s) under way', () => service.callsInFlight())]));
  if (opts.functions) edge.register(lambdaInvokeService(opts.functions));
  for (const extra of opts.extra ?? []) edge.register(extra);
  const sfn = new SFNClient({ endpoint: edge.url, ...LOCAL });

  const history = async (executionArn: string) => {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  };
  const poll = <T>(what: string, check: () => Promise<T | undefined>) => until(what, check, 20_000);
  const harness: SfnHarness = {
    edge, clock, service, sfn, dataDir,
    async machine(definition) {
      const reply = await sfn.send(
        new CreateStateMachineCommand({ name: `m${process.pid}-${++counter}`, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/test' }),
      );
      return reply.stateMachineArn!;
    },
    async start(stateMachineArn, input = {}) {
      return (await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }))).executionArn!;
    },
    finished: (executionArn) =>
      poll(`${executionArn} to finish`, async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status === 'RUNNING' ? undefined : (d as any);
      }),
    async run(definition, input) {
      return harness.finished(await harness.start(await harness.machine(definition), input));
    },
    history,
    reached: (executionArn, type) => poll(`${type} in ${executionArn}`, async () => (await history(executionArn)).find((e) => e.type === type)),
    async stop() {
      sfn.destroy();
      await service.stop();
      await edge.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const output = (d: Record<string, any>) => {
  if (d.output === undefined) throw new Error(`${d.executionArn} ended ${d.status}: ${d.error} ${d.cause}`);
  return JSON.parse(d.output as string);
};
