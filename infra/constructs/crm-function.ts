import { DockerImage, Duration } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * What a bundle is built from: our handler and schema sources and the lockfile. Giving CDK this hash
 * spares it fingerprinting the whole project root (node_modules included) once per function.
 */
let sourcesHash: string | undefined;
function bundleSourcesHash(): string {
  if (sourcesHash) return sourcesHash;
  const hash = createHash('sha256');
  const files = ['functions', 'schemas']
    .flatMap((dir) => readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name)))
    .concat(path.join(ROOT, 'package-lock.json'), fileURLToPath(import.meta.url))
    .sort();
  for (const file of files) hash.update(path.relative(ROOT, file)).update(readFileSync(file));
  sourcesHash = hash.digest('hex');
  return sourcesHash;
}

/**
 * The handler as an ESM bundle for Lambda's nodejs22.x: minified, with source maps, the AWS SDK left to
 * the runtime. The same settings as NodejsFunction, but esbuild runs in-process: NodejsFunction shells
 * out to `npx --no-install esbuild` for every function (~2 s each, minutes for the whole API).
 */
function bundledHandler(handler: string, files: Record<string, string>): Code {
  const hash = createHash('sha256').update(bundleSourcesHash()).update(handler);
  for (const [name, content] of Object.entries(files)) hash.update(name).update(content);
  return Code.fromAsset(path.join(ROOT, 'functions'), {
    assetHash: hash.digest('hex'),
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      local: {
        tryBundle(outputDir) {
          buildSync({
            entryPoints: [path.join(ROOT, 'functions', `${handler}.ts`)],
            outfile: path.join(outputDir, 'index.mjs'),
            bundle: true,
            platform: 'node',
            format: 'esm',
            target: 'node22',
            minify: true,
            sourcemap: true,
            // stack traces need the mappings, not the sources: a map 4x smaller that Node parses at every cold start
            sourcesContent: false,
            external: ['@aws-sdk/*'],
            mainFields: ['module', 'main'],
            // some dependencies are CommonJS and call require(); give the ESM bundle one
            banner: { js: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);" },
            logLevel: 'warning',
          });
          for (const [name, content] of Object.entries(files)) writeFileSync(path.join(outputDir, name), content);
          return true;
        },
      },
    },
  });
}

export interface CrmFunctionProps {
  /** the handler's file under functions/, without extension, e.g. "accounts/create-account" */
  handler: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  /**
   * Shared with functions granted exactly the same (see CrmApi): a stack holds at most 500 resources, and
   * a role, its policy and a log group per route would use them up. Omitted: the function's own.
   */
  role?: IRole;
  logGroup?: ILogGroup;
  /** Its name in the account; omitted, CloudFormation makes one up. At most 64 characters. */
  functionName?: string;
  /** Files shipped next to the bundle (name -> content): what the handler would otherwise compute at every cold start. */
  files?: Record<string, string>;
}

/**
 * The one way the CRM builds a Lambda function: arm64, Node 22, an ESM bundle, its own log group,
 * X-Ray tracing and Powertools configured. Grants are the caller's job, so each function gets only what it uses.
 */
export class CrmFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: CrmFunctionProps) {
    super(scope, id);
    const domain = props.handler.split('/')[0]!;
    const logGroup = props.logGroup ?? new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.fn = new LambdaFunction(this, 'Function', {
      code: bundledHandler(props.handler, props.files ?? {}),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      ...(props.role ? { role: props.role } : {}),
      ...(props.functionName ? { functionName: props.functionName } : {}),
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: domain,
        POWERTOOLS_METRICS_NAMESPACE: 'Tradeflow',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
  }
}
