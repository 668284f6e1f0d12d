import { defineConfig } from 'vitest/config';

// Five projects, one per kind of test; `npm test` runs them all after the type-check and the linter.
// The emulator tests (the local services' own behaviour) run before the product's integration tests,
// which stand on those services; the browser journeys through the web console (e2e) run last.
const runtimeTests = {
  // every file here may start DynamoDB Local or the whole runtime from the synthesized cloud assembly
  globalSetup: ['test/integration/global-setup.ts'],
  environment: 'node' as const,
  testTimeout: 60_000,
  hookTimeout: 240_000,
  // each file starts its own emulators or runtime; two at once is what 2 cores carry
  maxWorkers: 2,
};

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } } },
      {
        // the stack deploys the console's build: built once (reused while its sources are unchanged)
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], globalSetup: ['test/infra/global-setup.ts'], environment: 'node', testTimeout: 240_000, hookTimeout: 240_000, sequence: { groupOrder: 1 } },
      },
      { test: { name: 'emulator', include: ['test/emulator/**/*.test.ts'], ...runtimeTests, sequence: { groupOrder: 2 } } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...runtimeTests, sequence: { groupOrder: 3 } } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // the cloud assembly and the console's build, once for every journey
          globalSetup: ['test/e2e/global-setup.ts'],
          environment: 'node',
          // a whole journey waits on the workflows; under the full suite's load on 2 cores it can take minutes
          testTimeout: 300_000,
          hookTimeout: 240_000,
          // what a page shows after a request to the API: as long as the browser's own waits (support/console.ts)
          expect: { poll: { timeout: 30_000 } },
          // each file starts its own local runtime and browser
          maxWorkers: 2,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});
