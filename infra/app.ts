import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TradeflowStack } from './stacks/tradeflow-stack';

/**
 * The CDK app. `npm run synth` runs this file directly (fast, offline, no credentials) and the local
 * runtime reads the cloud assembly it writes; `npx cdk deploy` deploys the same assembly to AWS.
 * cdk-nag's AwsSolutions pack validates every synth (CDK_VALIDATION=false skips it, as the local runtime does).
 */
export function buildApp(outdir?: string) {
  // asset metadata tells the local runtime where each function's bundle lies in cdk.out
  const app = new App({ ...(outdir ? { outdir } : {}), postCliContext: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new TradeflowStack(app, 'Tradeflow', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
    description: 'Tradeflow CRM: table, HTTP API, functions, user pool',
  });
  // CDK_VALIDATION=false only turns off CDK's built-in template checks; registered plugins run regardless
  if (process.env.CDK_VALIDATION !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
