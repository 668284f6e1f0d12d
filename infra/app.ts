import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildConsole, CONSOLE_DIST } from '../local/console-build';
import { TradeflowStack } from './stacks/tradeflow-stack';

/**
 * The CDK app. `npm run synth` runs this file directly (fast, offline, no credentials) and the local
 * runtime reads the cloud assembly it writes; `npx cdk deploy` deploys the same assembly to AWS.
 * cdk-nag's AwsSolutions pack validates every synth (CDK_VALIDATION=false skips it, as the local runtime does).
 * The stack deploys the web console's build from console/dist: run as a program, this file builds it first
 * (reused while its sources are unchanged); buildApp() expects it built.
 */
export function buildApp(outdir?: string, consoleDist = CONSOLE_DIST) {
  // asset metadata tells the local runtime where each function's bundle lies in cdk.out
  const app = new App({ ...(outdir ? { outdir } : {}), postCliContext: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new TradeflowStack(app, 'Tradeflow', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
    description: 'Tradeflow CRM: table, HTTP API, functions, user pool, web console',
    consoleDist,
  });
  // CDK_VALIDATION=false only turns off CDK's built-in template checks; registered plugins run regardless
  if (process.env.CDK_VALIDATION !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildConsole((line) => console.error(line)).then(
    () => buildApp().app.synth(),
    (error: Error) => {
      console.error(`the web console could not be built (\`npm run build:console\` shows why): ${error.message}`);
      process.exit(1);
    },
  );
}
