// The engine benchmark's load generator: a worker thread of its own, so the AWS SDK work of the client
// (serializing, signing, parsing replies) runs beside the local runtime's event loop, not on it, as it
// would for any real client of `npm start`. Plain JavaScript: Node starts workers outside tsx's loader.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ edgeUrl: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }} */
const { edgeUrl, region, credentials } = workerData;
const config = { endpoint: edgeUrl, region, credentials, maxAttempts: 1 };
const events = new EventBridgeClient(config);
const sfn = new SFNClient(config);

/** Runs `count` jobs with at most `limit` at once; each job records its own failures. */
async function pool(count, limit, job) {
  let next = 0;
  const lane = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

function failureLog() {
  const failures = new Map();
  return {
    note(what, example, count = 1) {
      const existing = failures.get(what);
      if (existing) existing.count += count;
      else failures.set(what, { what, count, example: String(example).slice(0, 300) });
    },
    list: () => [...failures.values()],
  };
}

const ops = {
  /** PutEvents in batches; answers the EventIds accepted. */
  async put({ count, batch, concurrency, bus, batchOffset }) {
    const failures = failureLog();
    const ids = [];
    const startedAt = Date.now();
    await pool(Math.ceil(count / batch), concurrency, async (b) => {
      const size = Math.min(batch, count - b * batch);
      const entries = Array.from({ length: size }, (_, i) => ({
        EventBusName: bus, Source: 'bench.engine', DetailType: 'Routed', Detail: JSON.stringify({ batch: batchOffset + b, i }),
      }));
      try {
        const result = await events.send(new PutEventsCommand({ Entries: entries }));
        for (const entry of result.Entries ?? []) {
          if (entry.EventId) ids.push(entry.EventId);
          else failures.note(`PutEvents entry ${entry.ErrorCode ?? 'failed'}`, entry.ErrorMessage ?? '');
        }
      } catch (error) {
        failures.note('PutEvents request failed', error, size);
      }
    });
    return { ids, startedAt, doneAt: Date.now(), failures: failures.list() };
  },

  /** StartExecution `count` times; answers how many started. */
  async start({ count, concurrency, machineArn, offset }) {
    const failures = failureLog();
    let started = 0;
    const startedAt = Date.now();
    await pool(count, concurrency, async (i) => {
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify({ n: offset + i }) }));
        started++;
      } catch (error) {
        failures.note('StartExecution failed', error);
      }
    });
    return { started, startedAt, doneAt: Date.now(), failures: failures.list() };
  },

  /** ListExecutions (all pages) of one status, counting those started at or after `since`. */
  async list({ machineArn, statusFilter, since }) {
    let count = 0;
    let lastStop = 0;
    const examples = [];
    let nextToken;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter, maxResults: 1000, nextToken }));
      for (const execution of page.executions ?? []) {
        if ((execution.startDate?.getTime() ?? 0) < since) continue;
        count++;
        lastStop = Math.max(lastStop, execution.stopDate?.getTime() ?? 0);
        if (examples.length < 3) examples.push(execution.executionArn ?? '?');
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return { count, lastStop, examples };
  },
};

parentPort.on('message', async ({ id, op, args }) => {
  try {
    parentPort.postMessage({ id, ok: true, result: await ops[op](args) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
