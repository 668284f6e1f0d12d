/**
 * The whole local runtime in a process of its own, for the crash test: prints `READY <json>` with its
 * URLs once up. Usage: node --import tsx runtime-child.ts <dataDir>
 */
import '../../../local/quiet-sdk-warning';
import { startLocalRuntime } from '../../../local/runtime';

const runtime = await startLocalRuntime({ dataDir: process.argv[2], ports: { api: 0, edge: 0, dynamodb: 0 } });
console.log(`READY ${JSON.stringify({ edgeUrl: runtime.edgeUrl, apiUrl: runtime.apiUrl, tableName: runtime.tableName, dynamoDbEndpoint: runtime.dynamoDbEndpoint })}`);
