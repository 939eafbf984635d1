import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DeploymentApi, DeploymentTarget, PromotedImage } from '../../../src/github/deployment.js';
import type { PromotionResult } from '../../../src/domain/pipeline.js';

// The real toolkit, with what the recorder logs and saves observable.
const actual = await import('@actions/core');
const info = jest.fn<(message: string) => void>();
const warning = jest.fn<(message: string | Error) => void>();
const saveState = jest.fn<(name: string, value: unknown) => void>();
const setSecret = jest.fn<(secret: string) => void>();
jest.unstable_mockModule('@actions/core', () => ({ ...actual, info, warning, saveState, setSecret }));

const { DeploymentRecord, finishAfterCancellation } = await import('../../../src/github/deployment-record.js');
const { recordingWarning, deploymentPayload, clip } = await import('../../../src/github/deployment.js');
const { recordOutcome } = await import('../../../src/github/deployment-step.js');
const { readDeploymentSettings } = await import('../../../src/github/deployment-inputs.js');

const TARGET: DeploymentTarget = { environment: 'production', owner: 'acme', repo: 'images', sha: '0123456789abcdef', runUrl: 'https://github.com/acme/images/actions/runs/42' };
const SOURCE = { amiId: 'ami-0123456789abcdef0', region: 'eu-west-1' };
const IMAGES: PromotedImage[] = [
  { accountId: '222222222222', region: 'eu-west-1', imageId: 'ami-0aaaaaaaaaaaaaaa1' },
  { accountId: '222222222222', region: 'eu-central-1', imageId: 'ami-0aaaaaaaaaaaaaaa2' },
  { accountId: '333333333333', region: 'eu-west-1', imageId: 'ami-0bbbbbbbbbbbbbbb1' },
];

type Create = DeploymentApi['createDeployment'];
type Status = DeploymentApi['createDeploymentStatus'];

function fakeApi(id = 77) {
  const createDeployment = jest.fn<Create>().mockResolvedValue({ data: { id } });
  const createDeploymentStatus = jest.fn<Status>().mockResolvedValue({});
  return { api: { createDeployment, createDeploymentStatus }, createDeployment, createDeploymentStatus };
}

const httpError = (status: number, message: string) => Object.assign(new Error(message), { status });
const states = (mock: jest.Mock<Status>) => mock.mock.calls.map(([params]) => params.state);
const savedStates = () => saveState.mock.calls.filter(([name]) => name === 'deployment').map(([, value]) => JSON.parse(String(value)) as unknown);

beforeEach(() => {
  jest.clearAllMocks();
});

describe('DeploymentRecord', () => {
  it('creates a deployment of the commit once the AMIs are known, in progress, then success with the run as log and environment URL', async () => {
    const { api, createDeployment, createDeploymentStatus } = fakeApi();
    const record = new DeploymentRecord(async () => api, TARGET, SOURCE);
    record.promoted(IMAGES);
    record.promoted(IMAGES);
    await record.finish('success', 'Promoted them');
    expect(createDeployment).toHaveBeenCalledTimes(1);
    const params = createDeployment.mock.calls[0]?.[0];
    expect(params).toMatchObject({
      owner: 'acme',
      repo: 'images',
      ref: TARGET.sha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      payload: {
        'source-ami-id': SOURCE.amiId,
        'source-region': 'eu-west-1',
        amis: { '222222222222': { 'eu-west-1': 'ami-0aaaaaaaaaaaaaaa1', 'eu-central-1': 'ami-0aaaaaaaaaaaaaaa2' }, '333333333333': { 'eu-west-1': 'ami-0bbbbbbbbbbbbbbb1' } },
        'run-url': TARGET.runUrl,
      },
    });
    expect(params?.description.length).toBeLessThanOrEqual(140);
    expect(params?.request.signal).toBeInstanceOf(AbortSignal);
    expect(states(createDeploymentStatus)).toEqual(['in_progress', 'success']);
    expect(createDeploymentStatus.mock.calls[0]?.[0]).toMatchObject({ deployment_id: 77, log_url: TARGET.runUrl });
    expect(createDeploymentStatus.mock.calls[0]?.[0]).not.toHaveProperty('environment_url');
    expect(createDeploymentStatus.mock.calls[1]?.[0]).toMatchObject({ deployment_id: 77, description: 'Promoted them', log_url: TARGET.runUrl, environment_url: TARGET.runUrl });
    expect(savedStates()).toEqual([{ id: 77, finished: false }, { id: 77, finished: true }]);
    expect(warning).not.toHaveBeenCalled();
  });

  it('records nothing when no AMI was ever known', async () => {
    const load = jest.fn(async () => fakeApi().api);
    await new DeploymentRecord(load, TARGET, SOURCE).finish('failure', 'Failed');
    expect(load).not.toHaveBeenCalled();
    expect(savedStates()).toEqual([]);
  });

  it('refused with 403: one warning naming deployments: write, no status and no state, and finish() sends nothing more', async () => {
    const { api, createDeployment, createDeploymentStatus } = fakeApi();
    createDeployment.mockRejectedValue(httpError(403, 'Resource not accessible by integration'));
    const record = new DeploymentRecord(async () => api, TARGET, SOURCE);
    record.promoted(IMAGES);
    await record.finish('success', 'Promoted');
    expect(createDeploymentStatus).not.toHaveBeenCalled();
    expect(warning).toHaveBeenCalledTimes(1);
    expect(String(warning.mock.calls[0]?.[0])).toContain('deployments: write');
    expect(savedStates()).toEqual([]);
  });

  it('a failed status is a warning; the post step is still told main finished', async () => {
    const { api, createDeploymentStatus } = fakeApi(5);
    createDeploymentStatus.mockResolvedValueOnce({}).mockRejectedValueOnce(httpError(502, 'Bad Gateway'));
    const record = new DeploymentRecord(async () => api, TARGET, SOURCE);
    record.promoted(IMAGES);
    await record.finish('failure', 'Failed');
    expect(states(createDeploymentStatus)).toEqual(['in_progress', 'failure']);
    expect(warning).toHaveBeenCalledTimes(1);
    expect(savedStates()).toEqual([{ id: 5, finished: false }, { id: 5, finished: true }]);
  });

  it('a client that cannot be loaded is a warning, never an error', async () => {
    const record = new DeploymentRecord(() => Promise.reject(new Error('no module')), TARGET, SOURCE);
    record.promoted(IMAGES);
    await expect(record.finish('success', 'Promoted')).resolves.toBeUndefined();
    expect(warning).toHaveBeenCalledTimes(1);
  });

  it('a 202 answer without a deployment (GitHub merged instead) is a warning', async () => {
    const { api, createDeployment, createDeploymentStatus } = fakeApi();
    createDeployment.mockResolvedValue({ data: { message: 'Auto-merged main into topic-branch on deployment.' } });
    const record = new DeploymentRecord(async () => api, TARGET, SOURCE);
    record.promoted(IMAGES);
    await record.finish('success', 'Promoted');
    expect(createDeploymentStatus).not.toHaveBeenCalled();
    expect(String(warning.mock.calls[0]?.[0])).toContain('Auto-merged');
  });
});

describe('recordOutcome', () => {
  const result = (overrides: Partial<PromotionResult>) =>
    ({ targets: [{ accountId: '222222222222', regions: [{ region: 'eu-west-1', imageId: 'ami-0aaaaaaaaaaaaaaa1' }] }], failures: [], afterCopyFailures: [], ...overrides }) as PromotionResult;

  async function finalStatus(outcome: Parameters<typeof recordOutcome>[1]) {
    const { api, createDeploymentStatus } = fakeApi();
    const record = new DeploymentRecord(async () => api, TARGET, SOURCE);
    record.promoted(IMAGES);
    await recordOutcome(record, outcome);
    return createDeploymentStatus.mock.calls.slice(1).map(([params]) => `${params.state}: ${params.description}`);
  }

  it('success lists the promoted AMIs', async () => {
    expect(await finalStatus({ result: result({}), cancelled: false })).toEqual(['success: Promoted ami-0aaaaaaaaaaaaaaa1 (222222222222 eu-west-1)']);
  });

  it('failed copies, failed steps after the copy and errors are failures', async () => {
    expect(await finalStatus({ result: result({ failures: [{ accountId: '3', region: 'us-east-1', error: new Error('x') }] }), cancelled: false })).toEqual([
      'failure: 1 copies failed; promoted: ami-0aaaaaaaaaaaaaaa1 (222222222222 eu-west-1)',
    ]);
    expect(await finalStatus({ result: result({ afterCopyFailures: [{ step: 'Launch templates', accountId: '2', error: new Error('x') }] }), cancelled: false })).toEqual([
      'failure: Promoted ami-0aaaaaaaaaaaaaaa1 (222222222222 eu-west-1), but Launch templates failed',
    ]);
    expect(await finalStatus({ error: new Error('Copying failed in account 2.\nWhy: ...'), cancelled: false })).toEqual(['failure: Failed: Copying failed in account 2.']);
  });

  it('a copy that failed at once left the others unannounced: they are recorded at the end, as a failure', async () => {
    const { api, createDeployment, createDeploymentStatus } = fakeApi();
    const record = new DeploymentRecord(async () => api, TARGET, SOURCE);
    await recordOutcome(record, { result: result({ failures: [{ accountId: '3', region: 'us-east-1', error: new Error('x') }] }), cancelled: false });
    expect(createDeployment.mock.calls[0]?.[0].payload).toMatchObject({ amis: { '222222222222': { 'eu-west-1': 'ami-0aaaaaaaaaaaaaaa1' } } });
    expect(states(createDeploymentStatus)).toEqual(['in_progress', 'failure']);
  });

  it('after a cancellation main sets no final status: the post step does, after its cleanup', async () => {
    expect(await finalStatus({ error: new Error('The job was cancelled (SIGTERM).'), cancelled: true })).toEqual([]);
    expect(savedStates()).toEqual([{ id: 77, finished: false }]);
  });
});

describe('finishAfterCancellation', () => {
  it.each([
    [true, 'inactive'],
    [false, 'error'],
  ])('cleaned up %s: %s', async (cleanedUp, state) => {
    const { api, createDeploymentStatus } = fakeApi();
    await finishAfterCancellation(api, TARGET, { id: 9, finished: false }, cleanedUp);
    expect(createDeploymentStatus.mock.calls.map(([params]) => [params.deployment_id, params.state, params.log_url])).toEqual([[9, state, TARGET.runUrl]]);
    // The post step is the last to read the state: nothing is saved.
    expect(savedStates()).toEqual([]);
  });

  it('a refused status is a warning', async () => {
    const { api, createDeploymentStatus } = fakeApi();
    createDeploymentStatus.mockRejectedValue(httpError(403, 'Resource not accessible by integration'));
    await finishAfterCancellation(api, TARGET, { id: 9, finished: false }, true);
    expect(String(warning.mock.calls[0]?.[0])).toContain('deployments: write');
  });
});

describe('messages and payload', () => {
  it('a timeout says GitHub did not answer, without the permission advice', () => {
    const text = recordingWarning('production', 'creating the deployment', new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect(text).toBe('Could not record the promotion in environment "production" (creating the deployment): GitHub did not answer within 5 s. The promotion itself is not affected.');
  });

  it('a server error gives its status and message', () => {
    expect(recordingWarning('staging', 'setting its status to success', httpError(500, 'Server Error'))).toContain('GitHub answered 500: Server Error.');
  });

  it('descriptions are clipped to 140 characters', () => {
    expect(clip('x'.repeat(140))).toBe('x'.repeat(140));
    expect(clip('x'.repeat(141))).toBe(`${'x'.repeat(139)}…`);
  });

  it('the payload has no run URL outside a run', () => {
    expect(deploymentPayload(SOURCE, [], undefined)).toEqual({ 'source-ami-id': SOURCE.amiId, 'source-region': 'eu-west-1', amis: {} });
  });
});

describe('readDeploymentSettings', () => {
  const setInput = (name: string, value: string) => (process.env[`INPUT_${name.toUpperCase()}`] = value);
  afterAll(() => {
    delete process.env['INPUT_DEPLOYMENT-ENVIRONMENT'];
    delete process.env['INPUT_GITHUB-TOKEN'];
  });

  it('nothing without deployment-environment; the token is not even masked', () => {
    setInput('deployment-environment', '');
    setInput('github-token', 'ghs_secret');
    expect(readDeploymentSettings()).toBeUndefined();
    expect(setSecret).not.toHaveBeenCalled();
  });

  it('masks the token before returning it', () => {
    setInput('deployment-environment', 'production');
    setInput('github-token', 'ghs_secret');
    expect(readDeploymentSettings()).toEqual({ environment: 'production', token: 'ghs_secret' });
    expect(setSecret).toHaveBeenCalledWith('ghs_secret');
  });

  it('an empty token is a warning, not a failure', () => {
    setInput('deployment-environment', 'production');
    setInput('github-token', '');
    expect(readDeploymentSettings()).toBeUndefined();
    expect(String(warning.mock.calls[0]?.[0])).toContain('github-token is empty');
  });
});
