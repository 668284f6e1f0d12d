import './quiet-sdk-warning';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_DATA_EDITION, seedDemoData } from './seed/demo-data';
import { DEMO_USERS } from './seed/demo-users';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime } from './runtime';
import { buildConsole } from './console-build';
import { formatOffset } from './clock';
import { PROJECT_ROOT, synthesize } from './synth';
import { END_OF_BANNER, readyLine } from './banner';

/**
 * `npm start`: the whole product on this machine, from the same cloud assembly `cdk deploy` deploys.
 * Ports and the data folder can be moved with TRADEFLOW_API_PORT, TRADEFLOW_EDGE_PORT,
 * TRADEFLOW_DYNAMODB_PORT and TRADEFLOW_DATA_DIR. `npm start -- --fresh` starts over: it deletes the data
 * folder (every record, the local clock's offset, sent mail) and loads the demo data anew.
 */
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const step = (line: string) => console.log(`  · ${line}`);

/** Whether something answers on the port: a Tradeflow already running on this data must not lose it underneath. */
const listening = (portNumber: number) => new Promise<boolean>((resolve) => {
  const socket = connect({ host: '127.0.0.1', port: portNumber });
  socket.once('connect', () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

async function main() {
  const started = Date.now();
  const { values: flags } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } });
  const dataDir = process.env.TRADEFLOW_DATA_DIR ?? path.join(PROJECT_ROOT, '.data');
  const ports = {
    api: port('TRADEFLOW_API_PORT', 3000),
    edge: port('TRADEFLOW_EDGE_PORT', 4566),
    dynamodb: port('TRADEFLOW_DYNAMODB_PORT', 8000),
  };
  console.log('Starting Tradeflow on this machine...');
  if (flags.fresh) {
    if (await listening(ports.api) || await listening(ports.dynamodb)) {
      throw new Error(`something is running on port ${ports.api} or ${ports.dynamodb} (another npm start?): stop it before starting fresh`);
    }
    rmSync(dataDir, { recursive: true, force: true });
    step(`started fresh: ${dataDir} deleted`);
  }
  const { reused } = await synthesize(undefined, step);
  step(reused ? 'cdk.out is up to date' : 'cdk.out synthesized');
  const site = await buildConsole(step);
  step(site.reused ? 'console/dist is up to date' : 'web console built');
  const runtime = await startLocalRuntime({
    dataDir,
    ports,
    log: step,
    consoleDir: site.dir,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Tradeflow...`);
    await runtime.stop();
    console.log('stopped; nothing is left running.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const { seeded, loadedEdition } = await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
  step(seeded ? 'demo data loaded (Tradeflow Foods)' : 'demo data already present');
  if (loadedEdition < DEMO_DATA_EDITION) {
    step(`the data in ${dataDir} holds an older edition of the demo data (${loadedEdition} of ${DEMO_DATA_EDITION}): it lacks ` +
      `${loadedEdition < 2 ? 'the approval policies and approvers, ' : ''}the trade promotions' fund and campaign. Start with npm start -- --fresh to load them (your own data goes with that folder).`);
  }

  const roles = DEMO_USERS.map((u) => `    ${u.id.padEnd(15)} ${u.roles.join(',').padEnd(10)} ${u.name} (${u.departmentId})`).join('\n');
  console.log(`
${readyLine((Date.now() - started) / 1000)}

  Web console     ${runtime.apiUrl}/            (sign in as a demo person)
  HTTP API        ${runtime.apiUrl}            (OpenAPI: ${runtime.apiUrl}/openapi.json)
  AWS edge        ${runtime.edgeUrl}            (AWS_ENDPOINT_URL for the AWS CLI and SDKs:
                                                   DynamoDB, Step Functions, EventBridge, SES, SQS, Lambda, Secrets Manager)
  sent mail       ${runtime.edgeUrl}/_local/ses
  local clock     ${runtime.edgeUrl}/_local/clock  (POST {"advanceSeconds": N} to fast-forward waits; it is ${runtime.clock.offsetSeconds() > 0 ? `${formatOffset(runtime.clock.offsetSeconds())} ahead of real time` : 'real time'})
  DynamoDB table  ${runtime.tableName}
  data            ${dataDir}

Demo users (a token per user or role):
${roles}

  TOKEN=$(curl -s '${runtime.apiUrl}/_local/token?user=sales&format=text')
  curl -s -H "Authorization: Bearer $TOKEN" ${runtime.apiUrl}/accounts

${END_OF_BANNER}`);
}

main().catch((error: Error) => {
  console.error(`\nTradeflow could not start: ${error.message}`);
  process.exit(1);
});
