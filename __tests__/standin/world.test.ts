/** World builders, the SDK environment helper, the state dump and the call log. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CopyImageCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { allow, policyOf } from '../../standin/index.js';
import { sdkEnv } from '../../standin/sdk-env.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { clientsFor, expectAwsError } from './test-helpers.js';
import { createWorld } from '../../standin/world.js';

let standin: StandIn | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

describe('world builders', () => {
  it('write accounts, users, keys with aliases and grants, and images on encrypted snapshots in a few lines', async () => {
    const world = createWorld()
      .account('333333333333')
      .admin('ops', 'AKIAEXAMPLEOPS000001', 'secret')
      .key('us-east-1', { keyId: '11111111-2222-4333-8444-555555555555', alias: 'alias/build', grants: [{ granteePrincipal: 'arn:aws:iam::444444444444:root', operations: ['Decrypt'], name: 'seeded' }] })
      .image('us-east-1', { imageId: 'ami-0aaaaaaaaaaaaaaaa', name: 'built', snapshots: [{ kmsKey: 'alias/build', sizeGiB: 30 }, { sizeGiB: 100 }], sharedWith: ['444444444444'] })
      .account('444444444444')
      .user('reader', { accessKeyId: 'AKIAEXAMPLEREADER001', secretAccessKey: 'secret', policies: { read: policyOf(allow('ec2:Describe*')) } });
    standin = await startStandIn(world);
    const image = standin.image('333333333333', 'us-east-1', 'ami-0aaaaaaaaaaaaaaaa');
    expect(image?.blockDevices.map((d) => [d.deviceName, d.volumeSize])).toEqual([
      ['/dev/xvda', 30],
      ['/dev/sdb', 100],
    ]);
    const [encrypted, plain] = (image?.blockDevices ?? []).map((d) => standin?.snapshot('333333333333', 'us-east-1', d.snapshotId));
    expect(encrypted).toMatchObject({ encrypted: true, kmsKeyArn: 'arn:aws:kms:us-east-1:333333333333:key/11111111-2222-4333-8444-555555555555' });
    expect(plain).toMatchObject({ encrypted: false, createVolumePermissions: [expect.objectContaining({ userId: '444444444444' })] });
    expect(standin.grants('333333333333', 'us-east-1', 'alias/build').map((g) => g.name)).toEqual(['seeded']);
    const reader = clientsFor(standin, 'us-east-1', standin.credentials('444444444444'));
    const seen = await reader.ec2.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }));
    expect(seen.Images?.map((i) => i.ImageId)).toEqual(['ami-0aaaaaaaaaaaaaaaa']);
    await expectAwsError(reader.ec2.send(new CopyImageCommand({ SourceImageId: 'ami-0aaaaaaaaaaaaaaaa', SourceRegion: 'us-east-1', Name: 'c' + 'opy' })), 'UnauthorizedOperation');
  });

  it('refuses references to things that do not exist, and build() returns a copy', () => {
    const world = createWorld();
    expect(() => world.account('12')).toThrow(/12 digits/);
    expect(() => world.account('555555555555').keyPolicy('eu-west-1', 'alias/none', policyOf())).toThrow(/no key/);
    expect(() => world.account('555555555555').rolePolicy('none', 'p', undefined)).toThrow(/no role/);
    const built = world.build();
    built.accounts.pop();
    expect(world.build().accounts.map((a) => a.id)).toEqual(['555555555555']);
  });

  it('snapshots naming an unknown key make the world invalid', async () => {
    const world = createWorld().account('666666666666').snapshot('eu-west-1', { kmsKey: 'alias/missing' });
    await expect(startStandIn(world)).rejects.toThrow(/no key alias\/missing/);
  });
});

describe('sdkEnv', () => {
  it('points clients without explicit endpoint or credentials at the stand-in', async () => {
    standin = await startStandIn(defaultWorld());
    const env = sdkEnv(standin, { credentials: standin.credentials(DEFAULTS.sourceAccount), region: DEFAULTS.region, maxAttempts: 2 });
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: standin.url,
      AWS_ACCESS_KEY_ID: DEFAULTS.sourceAdmin.accessKeyId,
      AWS_REGION: DEFAULTS.region,
      AWS_MAX_ATTEMPTS: '2',
      ACTIONS_ID_TOKEN_REQUEST_URL: `${standin.url}/_oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: standin.oidcRequestToken,
    });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const ec2 = new EC2Client({});
      const kms = new KMSClient({});
      expect((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images?.[0]?.ImageId).toBe(DEFAULTS.sourceAmiId);
      expect((await kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias }))).KeyMetadata?.Arn).toBe(DEFAULTS.sourceKeyArn);
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(standin.calls().map((c) => [c.service, c.operation, c.region, c.principal])).toEqual([
      ['ec2', 'DescribeImages', DEFAULTS.region, DEFAULTS.sourceAdmin.userArn],
      ['kms', 'DescribeKey', DEFAULTS.region, DEFAULTS.sourceAdmin.userArn],
    ]);
  });
});

describe('state dump and call log', () => {
  it('the dump is JSON with accounts, images, keys and sessions, also over HTTP', async () => {
    standin = await startStandIn(defaultWorld());
    const dump = standin.dump();
    const text = JSON.stringify(dump);
    const source = (dump.accounts as Record<string, { regions: Record<string, { images: { imageId: string }[]; keys: { arn: string }[] }> }>)[
      DEFAULTS.sourceAccount
    ];
    expect(source?.regions[DEFAULTS.region]?.images.map((i) => i.imageId)).toEqual([DEFAULTS.sourceAmiId]);
    expect(source?.regions[DEFAULTS.region]?.keys.map((k) => k.arn)).toEqual([DEFAULTS.sourceKeyArn]);
    const overHttp = (await (await fetch(`${standin.url}/_standin/state`)).json()) as { accounts: object };
    expect(Object.keys(overHttp.accounts)).toEqual([DEFAULTS.sourceAccount, DEFAULTS.targetAccount]);
    expect(text).toContain(DEFAULTS.targetRoleArn);
  });

  it('records time, caller, parameters, outcome and error codes; filters by them', async () => {
    standin = await startStandIn(defaultWorld());
    const c = clientsFor(standin, DEFAULTS.region, standin.credentials(DEFAULTS.sourceAccount));
    await c.ec2.send(new DescribeImagesCommand({ ImageIds: [DEFAULTS.sourceAmiId] }));
    await expectAwsError(c.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-00000000000000000'] })), 'InvalidAMIID.NotFound');
    const [ok, failed] = standin.calls({ operation: 'DescribeImages' });
    expect(ok).toMatchObject({
      seq: 1,
      service: 'ec2',
      region: DEFAULTS.region,
      account: DEFAULTS.sourceAccount,
      principal: DEFAULTS.sourceAdmin.userArn,
      accessKeyId: DEFAULTS.sourceAdmin.accessKeyId,
      params: { ImageIds: [DEFAULTS.sourceAmiId] },
      outcome: 'ok',
      httpStatus: 200,
      mutation: false,
      internal: false,
    });
    expect(Date.parse(ok?.time ?? '')).toBeGreaterThan(0);
    expect(failed).toMatchObject({ outcome: 'error', errorCode: 'InvalidAMIID.NotFound', httpStatus: 400 });
    expect(standin.calls({ errorCode: 'InvalidAMIID.NotFound' })).toEqual([failed]);
    expect(standin.calls({ principal: /user\/admin$/ })).toHaveLength(2);
    expect(standin.calls({ account: DEFAULTS.targetAccount })).toEqual([]);
    standin.clearCalls();
    expect(standin.calls()).toEqual([]);
  });

  it('unknown operations and unsigned calls are refused', async () => {
    standin = await startStandIn(defaultWorld());
    const unsigned = await fetch(standin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});
