// Bundle entry of runs.post: the only place that runs the post step on load.
import { run } from '../post.js';

await run();
