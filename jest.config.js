const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

export default {
  // jest would use one worker on a 2-core machine; the end-to-end files mostly wait on child processes.
  maxWorkers: 2,
  testSequencer: '<rootDir>/__tests__/support/slow-first-sequencer.mjs',
  projects: [
    // Pure unit tests: src/ with the SDK mocked by aws-sdk-client-mock.
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    // The local AWS stand-in's own tests.
    { ...common, displayName: 'standin', testMatch: ['<rootDir>/__tests__/standin/**/*.test.ts'] },
    // The bundled dist/ run under Node 24 as the runner runs it.
    {
      ...common,
      displayName: 'dist',
      testMatch: ['<rootDir>/__tests__/dist/**/*.test.ts', '<rootDir>/__tests__/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/__tests__/dist/node24-setup.mjs',
    },
    // The action run from source by GitHub's local runner (@github/local-action, `npm run local`).
    { ...common, displayName: 'local', testMatch: ['<rootDir>/__tests__/local/**/*.test.ts'] },
  ],
};
