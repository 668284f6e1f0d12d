import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, afterAll } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { createTablesFromTemplate, type TemplateResources } from '../../local/dynamodb/create-tables';
import { until } from '../integration/support/until';

// Starting and stopping DynamoDB Local; separate from dynamodb-local.test.ts so that the two files'
// JVM start-ups run in parallel.

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const TEMPLATE: TemplateResources = {
  Table: {
    Type: 'AWS::DynamoDB::GlobalTable',
    Properties: {
      TableName: 'persisted',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    },
  },
};

async function withDynamoDb(dataDir: string, use: (client: DynamoDBClient, logs: string[]) => Promise<void>): Promise<void> {
  const db: DynamoDbLocal = await startDynamoDbLocal({ port: 0, dataDir });
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const logs: string[] = [];
    await createTablesFromTemplate(client, TEMPLATE, (value) => value, (line) => logs.push(line));
    await use(client, logs);
  } finally {
    client.destroy();
    await db.stop();
  }
}

const isListening = (endpoint: string) => fetch(endpoint).then(
  () => true,
  () => false,
);

describe('DynamoDB Local with a data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeflow-ddb-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its tables and items across restarts', async () => {
    await withDynamoDb(dataDir, async (client, logs) => {
      expect(logs[0]).toMatch(/^created table persisted/);
      await client.send(new PutItemCommand({ TableName: 'persisted', Item: { pk: { S: 'kept' } } }));
    });
    await withDynamoDb(dataDir, async (client, logs) => {
      expect(logs).toEqual([]);
      const { Item } = await client.send(new GetItemCommand({ TableName: 'persisted', Key: { pk: { S: 'kept' } } }));
      expect(Item).toEqual({ pk: { S: 'kept' } });
    });
  });
});

describe('DynamoDB Local and its parent process', () => {
  it('does not outlive a parent that is killed', async () => {
    const script =
      "import('./local/dynamodb/dynamodb-local.ts')" +
      '.then((m) => m.startDynamoDbLocal({ port: 0 }))' +
      '.then((db) => console.log("ENDPOINT " + db.endpoint));';
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout }).on('line', (line) => {
        if (line.startsWith('ENDPOINT ')) resolve(line.slice('ENDPOINT '.length));
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited before DynamoDB Local was ready (${code})`)));
    });
    expect(await isListening(endpoint)).toBe(true);

    // SIGKILL: no 'exit' handler runs, so only the launcher's stdin watch can end it
    parent.kill('SIGKILL');
    await until('DynamoDB Local to end with its parent', async () => ((await isListening(endpoint)) ? undefined : true), 5_000);
  });
});
