// Bundle entry of runs.post: the only place that runs the post step on load.
import { runPost } from '../github/post.js';

await runPost();
