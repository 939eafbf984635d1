// Global setup of the dist project: fails the run once, saying what to install, when no Node 24 can run dist/.
// jest loads global setups without the project's module mapping, so tsx loads the TypeScript module.
import { tsImport } from 'tsx/esm/api';

export default async function requireNode24() {
  const { node24 } = await tsImport('../../standin/runner/node24.ts', import.meta.url);
  node24();
}
