import * as core from '@actions/core';
import { runMain } from './github/main.js';
import { runPost } from './github/post.js';

// The same bundle serves runs.main and runs.post; main marks its run so the post step knows itself.
if (core.getState('isPost') === 'true') {
  await runPost();
} else {
  core.saveState('isPost', 'true');
  await runMain();
}
