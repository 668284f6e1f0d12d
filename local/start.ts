import './quiet-sdk-warning';
import path from 'node:path';
import { DEMO_DATA_EDITION, seedDemoData } from './seed/demo-data';
import { DEMO_USERS } from './seed/demo-users';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime } from './runtime';
import { buildConsole } from './console-build';
import { PROJECT_ROOT, synthesize } from './synth';

/**
 * `npm start`: the whole product on this machine, from the same cloud assembly `cdk deploy` deploys.
 * Ports and the data folder can be moved with TRADEFLOW_API_PORT, TRADEFLOW_EDGE_PORT,
 * TRADEFLOW_DYNAMODB_PORT and TRADEFLOW_DATA_DIR.
 */
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const step = (line: string) => console.log(`  · ${line}`);

async function main() {
  const started = Date.now();
  console.log('Starting Tradeflow on this machine...');
  const { reused } = await synthesize(undefined, step);
  step(reused ? 'cdk.out is up to date' : 'cdk.out synthesized');
  const site = await buildConsole(step);
  step(site.reused ? 'console/dist is up to date' : 'web console built');
  const dataDir = process.env.TRADEFLOW_DATA_DIR ?? path.join(PROJECT_ROOT, '.data');
  const runtime = await startLocalRuntime({
    dataDir,
    ports: {
      api: port('TRADEFLOW_API_PORT', 3000),
      edge: port('TRADEFLOW_EDGE_PORT', 4566),
      dynamodb: port('TRADEFLOW_DYNAMODB_PORT', 8000),
    },
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
      `${loadedEdition < 2 ? 'the approval policies and approvers, ' : ''}the trade promotions' fund and campaign. Delete that folder to load them (your own data goes with it).`);
  }

  const roles = DEMO_USERS.map((u) => `    ${u.id.padEnd(15)} ${u.roles.join(',').padEnd(10)} ${u.name} (${u.departmentId})`).join('\n');
  console.log(`
Tradeflow is ready (${((Date.now() - started) / 1000).toFixed(1)} s).

  Web console     ${runtime.apiUrl}/            (sign in as a demo person)
  HTTP API        ${runtime.apiUrl}            (OpenAPI: ${runtime.apiUrl}/openapi.json)
  AWS edge        ${runtime.edgeUrl}            (AWS_ENDPOINT_URL for the AWS CLI and SDKs:
                                                   DynamoDB, Step Functions, EventBridge, SES, SQS, Lambda, Secrets Manager)
  sent mail       ${runtime.edgeUrl}/_local/ses
  local clock     ${runtime.edgeUrl}/_local/clock  (POST {"advanceSeconds": N} to fast-forward waits)
  DynamoDB table  ${runtime.tableName}
  data            ${dataDir}

Demo users (a token per user or role):
${roles}

  TOKEN=$(curl -s '${runtime.apiUrl}/_local/token?user=sales&format=text')
  curl -s -H "Authorization: Bearer $TOKEN" ${runtime.apiUrl}/accounts

Ctrl-C stops everything.`);
}

main().catch((error: Error) => {
  console.error(`\nTradeflow could not start: ${error.message}`);
  process.exit(1);
});
