// Bundle entry of runs.main: the only place that runs the main step on load.
import { run } from '../main.js';

await run();
