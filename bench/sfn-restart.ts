import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalClock } from '../local/clock';
import { createStepFunctionsService } from '../local/stepfunctions';
import { figure, fixed1, progress, report, type Benchmark } from './support';

/**
 * What a restart of the local Step Functions costs once many executions have ended (a launch's sequences
 * done, weeks of approvals): it runs SFN_RESTART_BENCH_EXECUTIONS executions of a 20-state machine to
 * their end on a data folder, stops the service, and times a new one's start on the same folder (reading
 * every journal).
 */
const EXECUTIONS = Number(process.env.SFN_RESTART_BENCH_EXECUTIONS ?? 5_000);
const STATES = 20;
const IN_FLIGHT = 16;

const definition = {
  StartAt: 'S0',
  States: Object.fromEntries(Array.from({ length: STATES }, (_, i) => [
    `S${i}`,
    i === STATES - 1 ? { Type: 'Succeed' } : { Type: 'Pass', Result: { step: i, note: 'a step of a sequence' }, ResultPath: `$.s${i % 4}`, Next: `S${i + 1}` },
  ])),
};

export const sfnRestart: Benchmark = {
  name: 'sfn-restart',
  description: 'the local Step Functions restarting on a data folder where thousands of executions have ended',
  async run() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tradeflow-bench-sfn-restart-'));
    const service = () => createStepFunctionsService({ edgeUrl: 'http://127.0.0.1:9', clock: createLocalClock(), dataDir });
    try {
      const first = service();
      const { stateMachineArn } = first.createStateMachine('restart-bench', definition);
      progress(`sfn-restart: running ${EXECUTIONS} executions of ${STATES} states to their end...`);
      let next = 0;
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next < EXECUTIONS) await first.call('StartExecution', { stateMachineArn, name: `e${next++}`, input: '{"lead":"L-1","sequence":"welcome"}' });
      }));
      while (first.stats().executions.RUNNING > 0) await new Promise((r) => setTimeout(r, 100));
      const { SUCCEEDED: succeeded } = first.stats().executions;
      if (succeeded !== EXECUTIONS) throw new Error(`${EXECUTIONS - succeeded} of ${EXECUTIONS} executions did not succeed`);
      await first.stop();

      const started = performance.now();
      const again = service();
      await again.resumeAll();
      const ms = performance.now() - started;
      const { executions } = again.stats();
      report(`a restart found ${executions.SUCCEEDED} ended executions of ${STATES} states in ${fixed1(ms)} ms`);
      figure('sfn-restart-ms', Math.round(ms), `ms for ${EXECUTIONS} ended executions`);
      await again.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
