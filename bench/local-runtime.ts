import { SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { seedDemoData } from '../local/seed/demo-data';
import { DEFAULT_CDK_OUT, synthesize } from '../local/synth';
import { progress } from './support';

/**
 * What a workflow benchmark stands on: cdk.out synthesized (or reused), the local runtime on free ports
 * with the demo data, a Step Functions client on its edge to read execution histories; stopped after.
 */
export async function onLocalRuntime(measure: (runtime: LocalRuntime, sfn: SFNClient) => Promise<void>): Promise<void> {
  const { reused } = await synthesize(DEFAULT_CDK_OUT, progress);
  progress(reused ? 'cdk.out is up to date' : 'synthesized cdk.out');
  const runtime = await startLocalRuntime({ ports: { api: 0, edge: 0, dynamodb: 0 }, log: progress });
  const sfn = new SFNClient({ endpoint: runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await seedDemoData(runtime, runtime.dynamoDbEndpoint, runtime.tableName, LOCAL_REGION, LOCAL_CREDENTIALS);
    await measure(runtime, sfn);
  } finally {
    sfn.destroy();
    await runtime.stop();
  }
}
