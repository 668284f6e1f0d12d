import { defineConfig } from 'vitest/config';

// Four projects, one per kind of test; `npm test` runs them all after the type-check and the linter.
// The emulator tests (the local services' own behaviour) run before the product's integration tests,
// which stand on those services.
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
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], environment: 'node', testTimeout: 240_000, hookTimeout: 240_000, sequence: { groupOrder: 1 } } },
      { test: { name: 'emulator', include: ['test/emulator/**/*.test.ts'], ...runtimeTests, sequence: { groupOrder: 2 } } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...runtimeTests, sequence: { groupOrder: 3 } } },
    ],
  },
});
