// Bundle entry of runs.main: the only place that runs the main step on load.
import { runMain } from '../github/main.js';

await runMain();
