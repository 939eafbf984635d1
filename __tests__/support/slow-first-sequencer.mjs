// jest's order of test files, with the files known to run for minutes first: on a clean clone jest has no timings of
// its own and orders by file size, which can leave the longest file to start last while the other worker idles.
import Sequencer from '@jest/test-sequencer';

const SLOW = ['least-privilege.test.ts', 'matrix.test.ts', 'cancellation.test.ts', 'diagnosis.test.ts'];

const rank = (test) => {
  const index = SLOW.findIndex((name) => test.path.endsWith(`/${name}`));
  return index === -1 ? SLOW.length : index;
};

export default class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    return super.sort(tests).sort((a, b) => rank(a) - rank(b));
  }
}
