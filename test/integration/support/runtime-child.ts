/**
 * The whole local runtime in a process of its own, for the crash tests: prints `READY <json>` with its
 * URLs once up. With --demo-data it loads the demo company first (once per data dir: a restart finds it).
 * Its log lines go to stdout too, so that the test can tell where a start stopped.
 * Usage: node --import tsx runtime-child.ts <dataDir> [--demo-data]
 */
import '../../../local/quiet-sdk-warning';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime } from '../../../local/runtime';
import { seedDemoData } from '../../../local/seed/demo-data';

const runtime = await startLocalRuntime({ dataDir: process.argv[2], ports: { api: 0, edge: 0, dynamodb: 0 }, log: (line) => console.log(line) });
if (process.argv.includes('--demo-data')) {
  await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
}
console.log(`READY ${JSON.stringify({ edgeUrl: runtime.edgeUrl, apiUrl: runtime.apiUrl, tableName: runtime.tableName, dynamoDbEndpoint: runtime.dynamoDbEndpoint })}`);
