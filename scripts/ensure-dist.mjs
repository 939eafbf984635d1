// The demo and the end-to-end tests run the committed dist/; build it only when it is missing.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

if (!existsSync('dist/main/index.js') || !existsSync('dist/post/index.js')) execFileSync('node', ['scripts/bundle.mjs'], { stdio: 'inherit' });
