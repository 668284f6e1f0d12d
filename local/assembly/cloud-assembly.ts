import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { mergeNestedStacks, type NestedStack } from './nested-stacks';

/**
 * Reads a synthesized CDK cloud assembly (`cdk.out`): the stacks it would deploy, with their templates
 * (each one's nested stacks merged in, nested-stacks.ts), and where each stack's file assets (Lambda
 * bundles, nested templates) were staged.
 */

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}

export interface CloudFormationTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Resources?: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface StackArtifact {
  /** The CloudFormation stack name (differs from the artifact id for stacks inside a Stage). */
  stackName: string;
  artifactId: string;
  /** Absolute path of the template file. */
  templateFile: string;
  /** The stack's template with its nested stacks' resources merged in (under ids prefixed with the nested stack's). */
  template: CloudFormationTemplate;
  resources: Record<string, TemplateResource>;
  /** The nested stacks merged into `template`, each with its own template as synthesized. */
  nestedStacks: NestedStack[];
  /** Account and region the stack was synthesized for, when it was given an explicit environment. */
  account?: string;
  region?: string;
  /** The assembly directory the stack belongs to (a nested directory for stacks inside a Stage). */
  cdkOutDir: string;
  /** Staged file assets by their S3 object key (`<hash>.zip`), as absolute paths. */
  assetsByObjectKey: Record<string, string>;
}

export interface CloudAssembly {
  stacks: StackArtifact[];
}

interface ManifestArtifact {
  type: string;
  environment?: string;
  properties?: { templateFile?: string; stackName?: string; file?: string; directoryName?: string };
  dependencies?: string[];
}

interface AssetManifest {
  files?: Record<string, { source: { path?: string }; destinations: Record<string, { objectKey: string }> }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

export function loadCloudAssembly(cdkOutDir: string): CloudAssembly {
  const dir = resolve(cdkOutDir);
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(join(dir, 'manifest.json'));
  const artifacts = manifest.artifacts ?? {};
  const stacks: StackArtifact[] = [];

  for (const [artifactId, artifact] of Object.entries(artifacts)) {
    // Stacks inside a CDK Stage live in a nested assembly.
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...loadCloudAssembly(join(dir, artifact.properties.directoryName)).stacks);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;

    const templateFile = join(dir, artifact.properties.templateFile);
    const [account, region] = parseEnvironment(artifact.environment);
    const assetManifests = (artifact.dependencies ?? [])
      .map((id) => artifacts[id])
      .filter((a) => a?.type === 'cdk:asset-manifest' && a.properties?.file)
      .map((a) => join(dir, a!.properties!.file!));
    const assetsByObjectKey: Record<string, string> = Object.assign({}, ...assetManifests.map((file) => assetsOf(file, dir)));
    const { template, nestedStacks } = mergeNestedStacks(readJson<CloudFormationTemplate>(templateFile), (logicalId, resource) => {
      const file = nestedTemplateFile(logicalId, resource, dir, assetsByObjectKey);
      return { templateFile: file, template: readJson<CloudFormationTemplate>(file) };
    });

    stacks.push({
      stackName: artifact.properties.stackName ?? artifactId,
      artifactId,
      templateFile,
      template,
      resources: template.Resources ?? {},
      nestedStacks,
      account,
      region,
      cdkOutDir: dir,
      assetsByObjectKey,
    });
  }
  return { stacks };
}

/**
 * Where a nested stack's template lies in the assembly: its TemplateURL ends in the object key of a file
 * asset (`https://s3.<region>.<suffix>/<bucket>/<hash>.json`, built with Fn::Join and Fn::Sub), which the
 * stack's asset manifest maps to the file; else the resource's `aws:asset:path` metadata names it.
 */
function nestedTemplateFile(logicalId: string, resource: TemplateResource, dir: string, assetsByObjectKey: Record<string, string>): string {
  const strings = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings)
      : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
  const fromUrl = strings(resource.Properties?.TemplateURL)
    .map((text) => assetsByObjectKey[text.slice(text.lastIndexOf('/') + 1)])
    .find((file) => file !== undefined);
  if (fromUrl) return fromUrl;
  const metadataPath = resource.Metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string') return isAbsolute(metadataPath) ? metadataPath : resolve(dir, metadataPath);
  throw new Error(
    `Nested stack '${logicalId}': its TemplateURL names no file asset of this cloud assembly (and it has no 'aws:asset:path' ` +
      'metadata); the local runtime reads only nested stacks whose templates were synthesized with the app',
  );
}

/** `aws://123456789012/eu-west-1`; CDK writes `unknown-account`/`unknown-region` for agnostic stacks. */
function parseEnvironment(environment: string | undefined): [string | undefined, string | undefined] {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  const known = (v: string | undefined) => (v && !v.startsWith('unknown-') ? v : undefined);
  return [known(match?.[1]), known(match?.[2])];
}

function assetsOf(assetManifestFile: string, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of Object.values(readJson<AssetManifest>(assetManifestFile).files ?? {})) {
    if (!file.source.path) continue;
    for (const destination of Object.values(file.destinations)) {
      out[destination.objectKey] = resolve(dir, file.source.path);
    }
  }
  return out;
}

/**
 * The absolute directory of a Lambda function's code asset. CDK records it in the resource's
 * `aws:asset:path` metadata when asset metadata is enabled (the CDK CLI enables it; an app run directly
 * needs the context `aws:cdk:enable-asset-metadata: true`). Without it, the stack's asset manifest is
 * looked up by the function's `Code.S3Key`.
 */
export function assetPathOf(resource: TemplateResource, cdkOutDir: string, stack?: StackArtifact): string {
  const metadataPath = resource.Metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string') {
    return isAbsolute(metadataPath) ? metadataPath : resolve(cdkOutDir, metadataPath);
  }
  const code = resource.Properties?.Code as { S3Key?: unknown } | undefined;
  const fromManifest = typeof code?.S3Key === 'string' ? stack?.assetsByObjectKey[code.S3Key] : undefined;
  if (fromManifest) return fromManifest;
  throw new Error(
    `No code asset found for a ${resource.Type}: it has neither 'aws:asset:path' metadata nor a Code.S3Key ` +
      'listed in its stack asset manifest (inline code and images are not supported locally)',
  );
}
