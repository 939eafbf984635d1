import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import {
  CopyImageCommand,
  DescribeImagesCommand,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type Image,
} from '@aws-sdk/client-ec2';
import { CreateGrantCommand, DescribeKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { PromotionError } from '../../../src/aws/errors.js';
import type { JournalEntry } from '../../../src/domain/journal.js';
import { promote, runPreflight } from '../../../src/domain/pipeline.js';
import { leaseTag } from '../../../src/domain/steps/lease.js';
import { targetRoleSourceKeyStatements } from '../../../src/policy/generate.js';
import type { KeyAccessMode } from '../../../src/domain/types.js';
import { targetRoleKeyStatements } from '../../../src/policy/key-policy-statements.js';
import type { PolicyStatement } from '../../../src/policy/policy-document.js';
import {
  INTERMEDIATE_AMI,
  KEY_ARN,
  OTHER_ACCOUNT,
  PROVENANCE,
  ROOT_STATEMENT,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_AMI,
  SOURCE_REGION,
  SOURCE_ROLE,
  SOURCE_TAGS,
  START,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  TARGET_ROLE,
  awsError,
  buildContext,
  image,
  keyMetadata,
  keyPolicy,
  policyAllowingTargetRole,
  policyAllowingTargetRoot,
  policyWithoutTarget,
  stubEarlierPromotion,
  stubWorld,
  targetDefaultKeyArn,
  targetKeyArn,
  targetSnapshotIds,
  type Fixture,
  type WorldOptions,
  expectedProvenanceTags, type RequestOverrides } from '../../support/pipeline-fixtures.js';

const MUTATING = /^(Copy|Modify|Create|Put|Enable|Register|Deregister|Delete|Retire|Revoke)/;
const TWO_REGIONS = [SOURCE_REGION, SECOND_REGION];
const SOURCE_PLACE = `(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`;
const TARGET_PLACE = `(target account ${TARGET_ACCOUNT}, ${SOURCE_REGION})`;

function world(request: RequestOverrides = {}, options: WorldOptions = {}) {
  const fx = buildContext(request);
  const w = stubWorld(fx, options);
  return { fx, w };
}

/** The journal entries each stage (log group) recorded. */
function journalByStage(fx: Fixture): Record<string, JournalEntry[]> {
  const stages: Record<string, JournalEntry[]> = {};
  const group = fx.log.group.bind(fx.log);
  fx.log.group = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const before = fx.journal.entries().length;
    try {
      return await group(name, fn);
    } finally {
      stages[name] = fx.journal.entries().slice(before);
    }
  };
  return stages;
}

function input<T>(calls: { args: [{ input: T }] }[], n = 0): T | undefined {
  return calls[n]?.args[0].input;
}

async function refused(fx: Fixture): Promise<PromotionError> {
  const error = await promote(fx.ctx, await runPreflight(fx.ctx)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  expect(fx.mutations()).toEqual([]);
  expect(fx.sent.filter((c) => MUTATING.test(c.command))).toEqual([]);
  expect(fx.journal.entries()).toEqual([]);
  return error as PromotionError;
}

const MARKERS = [
  { Key: 'promote-ami:role', Value: 'intermediate' },
  { Key: 'promote-ami:source-ami-id', Value: SOURCE_AMI },
  { Key: 'promote-ami:source-account', Value: SOURCE_ACCOUNT },
  { Key: 'promote-ami:source-region', Value: SOURCE_REGION },
  { Key: 'promote-ami:kms-key', Value: KEY_ARN },
];


describe('the happy paths', () => {
  it('an unencrypted source: re-encrypted under the CMK in the source account, waited for, shared and copied', async () => {
    const { fx, w } = world();
    const stages = journalByStage(fx);
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));

    expect(fx.mutations()).toEqual([
      `source ec2 ${SOURCE_REGION} CopyImage`,
      `source ec2 ${SOURCE_REGION} ModifyImageAttribute`,
      `source ec2 ${SOURCE_REGION} ModifySnapshotAttribute`,
      `target ec2 ${SOURCE_REGION} CopyImage`,
    ]);
    const sourceEc2 = fx.source.ec2(SOURCE_REGION);
    const intermediate = input(sourceEc2.commandCalls(CopyImageCommand));
    expect(intermediate).toEqual({
      SourceImageId: SOURCE_AMI,
      SourceRegion: SOURCE_REGION,
      Name: expect.any(String),
      Description: expect.any(String),
      Encrypted: true,
      KmsKeyId: KEY_ARN,
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      TagSpecifications: [
        { ResourceType: 'image', Tags: [...SOURCE_TAGS, ...MARKERS, leaseTag(fx.ctx)] },
        { ResourceType: 'snapshot', Tags: [...SOURCE_TAGS, ...MARKERS] },
      ],
    });
    // Waited until available before sharing: the last look at the copy saw it available, and sharing came after.
    const commands = fx.sent.map((c) => `${c.side} ${c.command} ${JSON.stringify(c.input.ImageIds ?? c.input.ImageId ?? c.input.SnapshotId ?? '')}`);
    const lastWait = commands.lastIndexOf(`source DescribeImages ${JSON.stringify([INTERMEDIATE_AMI])}`);
    expect(lastWait).toBeGreaterThan(commands.indexOf(`source CopyImage ""`));
    expect(lastWait).toBeLessThan(commands.indexOf(`source ModifyImageAttribute ${JSON.stringify(INTERMEDIATE_AMI)}`));
    expect(input(sourceEc2.commandCalls(ModifyImageAttributeCommand))).toEqual({ ImageId: INTERMEDIATE_AMI, LaunchPermission: { Add: [{ UserId: TARGET_ACCOUNT }] } });
    expect(input(sourceEc2.commandCalls(ModifySnapshotAttributeCommand))).toEqual({
      SnapshotId: w.intermediateSnapshots[0],
      Attribute: 'createVolumePermission',
      CreateVolumePermission: { Add: [{ UserId: TARGET_ACCOUNT }] },
    });
    const targetEc2 = fx.target.ec2(SOURCE_REGION);
    expect(input(targetEc2.commandCalls(CopyImageCommand))).toMatchObject({
      SourceImageId: INTERMEDIATE_AMI,
      SourceRegion: SOURCE_REGION,
      Encrypted: true,
      KmsKeyId: undefined,
      Name: 'golden-base-2030.01.01',
    });

    expect(result).toMatchObject({
      sourceAccountId: SOURCE_ACCOUNT,
      reused: false,
      reencryptedImageId: INTERMEDIATE_AMI,
      targets: [
        {
          accountId: TARGET_ACCOUNT,
          regions: [
            {
              region: SOURCE_REGION,
              imageId: w.targetImages[SOURCE_REGION],
              snapshotIds: w.targetSnapshots[SOURCE_REGION],
              key: `${targetDefaultKeyArn(SOURCE_REGION)} (default EBS key)`,
              seconds: expect.any(Number),
              reused: false,
            },
          ],
        },
      ],
      share: { added: [INTERMEDIATE_AMI, ...w.intermediateSnapshots], alreadyShared: [] },
      finish: { protectedImages: [], ssmParameters: [] },
    });

    // The journal after each stage: what cleanup will undo, in order.
    expect(stages).toEqual({
      Preflight: [],
      'Re-encrypt': [
        { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
        { kind: 'lease', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, key: leaseTag(fx.ctx).Key },
        { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: w.intermediateSnapshots },
      ],
      'Key access': [],
      Share: [
        { kind: 'launch-permission', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, accountId: TARGET_ACCOUNT },
        { kind: 'volume-permission', region: SOURCE_REGION, snapshotId: w.intermediateSnapshots[0], accountId: TARGET_ACCOUNT },
      ],
      'Copy into the target accounts': [
        { kind: 'target-copy', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: w.targetImages[SOURCE_REGION] },
        { kind: 'target-copy-done', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: w.targetImages[SOURCE_REGION] },
      ],
      Finish: [],
    });
    expect(fx.journal.entries()).toEqual(Object.values(stages).flat());
  });

  it('gives the intermediate copy the same ClientToken for the same inputs', async () => {
    const tokens: unknown[] = [];
    for (const runId of ['4242', '4242', '4343']) {
      const { fx } = world({ provenance: { ...PROVENANCE, runId } });
      await promote(fx.ctx, await runPreflight(fx.ctx));
      tokens.push(input(fx.source.ec2(SOURCE_REGION).commandCalls(CopyImageCommand))?.ClientToken);
    }
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('a source under the AWS-managed aws/ebs key: re-encrypted under the CMK', async () => {
    const { fx } = world({}, { encryption: 'aws-ebs' });
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandTimes(CopyImageCommand, 1);
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandWith(CopyImageCommand, { SourceImageId: SOURCE_AMI, Encrypted: true, KmsKeyId: KEY_ARN });
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandWith(ModifyImageAttributeCommand, { ImageId: INTERMEDIATE_AMI });
    expect(result.reencryptedImageId).toBe(INTERMEDIATE_AMI);
  });

  it('a source already under the CMK and owned by the source account: no copy, the AMI itself is shared', async () => {
    const { fx, w } = world({}, { encryption: 'cmk', dataVolumes: 1 });
    const stages = journalByStage(fx);
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    const sourceEc2 = fx.source.ec2(SOURCE_REGION);
    expect(sourceEc2).toHaveReceivedCommandTimes(CopyImageCommand, 0);
    expect(sourceEc2.commandCalls(ModifyImageAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { ImageId: SOURCE_AMI, LaunchPermission: { Add: [{ UserId: TARGET_ACCOUNT }] } },
    ]);
    expect(sourceEc2.commandCalls(ModifySnapshotAttributeCommand).map((c) => c.args[0].input.SnapshotId)).toEqual(w.sourceSnapshots);
    expect(fx.target.ec2(SOURCE_REGION)).toHaveReceivedCommandWith(CopyImageCommand, { SourceImageId: SOURCE_AMI, SourceRegion: SOURCE_REGION });
    expect(result.reencryptedImageId).toBeUndefined();
    expect(stages['Re-encrypt']).toEqual([]);
    expect(stages.Share).toEqual([
      { kind: 'launch-permission', region: SOURCE_REGION, imageId: SOURCE_AMI, accountId: TARGET_ACCOUNT },
      ...w.sourceSnapshots.map((snapshotId) => ({ kind: 'volume-permission', region: SOURCE_REGION, snapshotId, accountId: TARGET_ACCOUNT })),
    ]);
  });

  it('a source AMI shared from another account: always copied first, even under the CMK', async () => {
    const { fx } = world({}, { encryption: 'cmk', ownerId: OTHER_ACCOUNT });
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandWith(CopyImageCommand, { SourceImageId: SOURCE_AMI, KmsKeyId: KEY_ARN, Encrypted: true });
    expect(fx.source.ec2(SOURCE_REGION)).not.toHaveReceivedCommandWith(ModifyImageAttributeCommand, { ImageId: SOURCE_AMI });
    expect(fx.target.ec2(SOURCE_REGION)).toHaveReceivedCommandWith(CopyImageCommand, { SourceImageId: INTERMEDIATE_AMI });
    expect(result.reencryptedImageId).toBe(INTERMEDIATE_AMI);
  });

  it('two data volumes: every snapshot of the shared AMI is shared', async () => {
    const { fx, w } = world({}, { dataVolumes: 2 });
    await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(w.intermediateSnapshots).toHaveLength(3);
    expect(fx.source.ec2(SOURCE_REGION).commandCalls(ModifySnapshotAttributeCommand).map((c) => c.args[0].input)).toEqual(
      w.intermediateSnapshots.map((SnapshotId) => ({ SnapshotId, Attribute: 'createVolumePermission', CreateVolumePermission: { Add: [{ UserId: TARGET_ACCOUNT }] } })),
    );
    expect(fx.journal.entries().filter((e) => e.kind === 'volume-permission')).toHaveLength(3);
  });

  it('two target regions: one CopyImage per region with its own client, key resolved per region from the alias, all tags', async () => {
    const tagsInput = [{ Key: 'release', Value: '2030.01' }];
    const { fx, w } = world({ targetRegions: TWO_REGIONS, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS }, tags: tagsInput });
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.target.client('ec2', SOURCE_REGION)).not.toBe(fx.target.client('ec2', SECOND_REGION));
    for (const region of TWO_REGIONS) {
      const ec2 = fx.target.ec2(region);
      expect(fx.target.kms(region)).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: TARGET_ALIAS });
      expect(ec2).toHaveReceivedCommandTimes(CopyImageCommand, 1);
      const tags = [...SOURCE_TAGS, ...tagsInput, ...expectedProvenanceTags(targetKeyArn(region))];
      expect(input(ec2.commandCalls(CopyImageCommand))).toEqual({
        SourceImageId: INTERMEDIATE_AMI,
        SourceRegion: SOURCE_REGION,
        Name: 'golden-base-2030.01.01',
        Description: 'Golden base image',
        Encrypted: true,
        KmsKeyId: targetKeyArn(region),
        ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
        TagSpecifications: [
          { ResourceType: 'image', Tags: tags },
          { ResourceType: 'snapshot', Tags: tags },
        ],
      });
    }
    expect(fx.mutations().filter((m) => m.startsWith('target'))).toEqual(expect.arrayContaining([`target ec2 ${SOURCE_REGION} CopyImage`, `target ec2 ${SECOND_REGION} CopyImage`]));
    expect(fx.mutations().filter((m) => m.startsWith('target'))).toHaveLength(2);
    expect(result.targets[0]?.regions).toEqual(
      TWO_REGIONS.map((region) => ({
        region,
        imageId: w.targetImages[region],
        snapshotIds: w.targetSnapshots[region],
        key: targetKeyArn(region),
        seconds: expect.any(Number),
        reused: false,
      })),
    );
    // One intermediate copy and one sharing serve both regions.
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandTimes(CopyImageCommand, 1);
    expect(fx.source.ec2(SOURCE_REGION)).toHaveReceivedCommandTimes(ModifyImageAttributeCommand, 1);
  });

  it('copy-tags off: the promoted AMI carries the tags input and provenance only', async () => {
    const { fx } = world({ copyTags: false, tags: [{ Key: 'release', Value: '2030.01' }] });
    await promote(fx.ctx, await runPreflight(fx.ctx));
    const tags = [{ Key: 'release', Value: '2030.01' }, ...expectedProvenanceTags('default')];
    expect(input(fx.target.ec2(SOURCE_REGION).commandCalls(CopyImageCommand))?.TagSpecifications).toEqual([
      { ResourceType: 'image', Tags: tags },
      { ResourceType: 'snapshot', Tags: tags },
    ]);
  });

  it('finishes each region only when asked: deregistration protection, deprecation, SSM parameter', async () => {
    const { fx, w } = world({ targetRegions: TWO_REGIONS, deregistrationProtection: true, deprecateAfterDays: 90, ssmParameter: '/golden/ami' });
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    for (const region of TWO_REGIONS) {
      const imageId = w.targetImages[region];
      expect(fx.target.ec2(region).commandCalls(EnableImageDeregistrationProtectionCommand).map((c) => c.args[0].input)).toEqual([{ ImageId: imageId }]);
      const deprecation = input(fx.target.ec2(region).commandCalls(EnableImageDeprecationCommand));
      expect(deprecation?.ImageId).toBe(imageId);
      // The deprecation counts from when the copies were done (the fake clock moved while waiting).
      expect((deprecation?.DeprecateAt as Date).getTime() - fx.clock.now()).toBeLessThanOrEqual(90 * 86_400_000 + 60_000);
      expect((deprecation?.DeprecateAt as Date).getTime()).toBeGreaterThanOrEqual(START + 90 * 86_400_000);
      expect(fx.target.ssm(region).commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
        { Name: '/golden/ami', Value: imageId, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true },
      ]);
    }
    expect(result.finish?.ssmParameters).toHaveLength(2);
  });
});

describe('reuse', () => {
  it('reuses an available AMI with the provenance in every region: no copy, share or grant, nothing in the source account', async () => {
    const { fx } = world({ targetRegions: TWO_REGIONS, keyAccess: 'grant', targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    for (const region of TWO_REGIONS) stubEarlierPromotion(fx, region, `ami-0e${region.length}00000000000${region === SOURCE_REGION ? 'a1' : 'b1'}`, targetSnapshotIds(region));
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.mutations()).toEqual([]);
    expect(fx.sent.filter((c) => c.side === 'source')).toEqual([]);
    expect(fx.journal.entries()).toEqual([]);
    for (const region of TWO_REGIONS) {
      expect(fx.target.ec2(region)).toHaveReceivedCommandWith(DescribeImagesCommand, {
        Owners: ['self'],
        Filters: expect.arrayContaining([
          { Name: 'tag:promote-ami:source-ami-id', Values: [SOURCE_AMI] },
          { Name: 'state', Values: ['available'] },
        ]),
      });
    }
    expect(result.reused).toBe(true);
    expect(result.targets[0]?.regions.map((r) => [r.region, r.reused, r.snapshotIds])).toEqual(TWO_REGIONS.map((region) => [region, true, targetSnapshotIds(region)]));
  });

  it('reuses the region that has it and copies only into the other', async () => {
    const { fx, w } = world({ targetRegions: TWO_REGIONS });
    stubEarlierPromotion(fx, SECOND_REGION, 'ami-0eeeeeeeeeeeeeee1', targetSnapshotIds(SECOND_REGION));
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.target.ec2(SOURCE_REGION)).toHaveReceivedCommandTimes(CopyImageCommand, 1);
    expect(fx.target.ec2(SECOND_REGION)).toHaveReceivedCommandTimes(CopyImageCommand, 0);
    expect(fx.journal.entries().filter((e) => e.kind === 'target-copy')).toEqual([{ kind: 'target-copy', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: w.targetImages[SOURCE_REGION] }]);
    expect(result.reused).toBe(false);
    expect(result.targets[0]?.regions).toEqual([
      expect.objectContaining({ region: SOURCE_REGION, imageId: w.targetImages[SOURCE_REGION], reused: false }),
      expect.objectContaining({ region: SECOND_REGION, imageId: 'ami-0eeeeeeeeeeeeeee1', snapshotIds: targetSnapshotIds(SECOND_REGION), reused: true }),
    ]);
  });
});

describe('refusals in step 1 change nothing', () => {
  const modes: KeyAccessMode[] = ['verify', 'grant', 'key-policy'];

  const imageRefusals: [string, (fx: Fixture) => void, RegExp][] = [
    ['the AMI does not exist', (fx) => fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).rejects(awsError('InvalidAMIID.NotFound', 'does not exist')), /cannot see/],
    ['the AMI is not visible', (fx) => fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [] }), /cannot see/],
    ['the AMI is pending', (fx) => fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [image({ state: 'pending' })] }), /pending/],
    [
      'the AMI failed',
      (fx) =>
        fx.source
          .ec2(SOURCE_REGION)
          .on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] })
          .resolves({ Images: [{ ...image({ state: 'failed' }), StateReason: { Code: 'Server.InternalError', Message: 'boom' } }] }),
      /failed \(boom\)/,
    ],
    [
      'the AMI is instance-store',
      (fx) => fx.source.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] }).resolves({ Images: [{ ...image(), RootDeviceType: 'instance-store' } as Image] }),
      /instance-store/,
    ],
    [
      'the AMI has a Marketplace product code',
      (fx) =>
        fx.source
          .ec2(SOURCE_REGION)
          .on(DescribeImagesCommand, { ImageIds: [SOURCE_AMI] })
          .resolves({ Images: [{ ...image(), ProductCodes: [{ ProductCodeId: 'abc123marketplace', ProductCodeType: 'marketplace' }] }] }),
      /Marketplace/,
    ],
  ];

  const key = (metadata: Partial<KeyMetadata>) => (fx: Fixture) =>
    fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).resolves({ KeyMetadata: keyMetadata(metadata) });
  const keyRefusals: [string, (fx: Fixture) => void, RegExp][] = [
    ['the key is AWS-managed', key({ KeyManager: 'AWS' }), /AWS-managed/],
    ['the key is asymmetric', key({ KeySpec: 'RSA_4096', KeyUsage: 'ENCRYPT_DECRYPT' }), /symmetric/],
    ['the key is disabled', key({ KeyState: 'Disabled', Enabled: false }), /Disabled/],
    ['the key is pending deletion', key({ KeyState: 'PendingDeletion', Enabled: false }), /PendingDeletion/],
    ['the key does not exist', (fx) => fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).rejects(awsError('NotFoundException', 'not found')), /no key or alias/],
  ];

  describe.each(modes)('key-access %s', (keyAccess) => {
    it.each([...imageRefusals, ...keyRefusals])('%s', async (_, breakIt, why) => {
      const { fx } = world({ keyAccess });
      breakIt(fx);
      const error = await refused(fx);
      expect(error.message).toContain(SOURCE_PLACE);
      expect(error.details.why).toMatch(why);
    });
  });

  it('DescribeKey denied: the IAM statement for the key ARN', async () => {
    const { fx } = world();
    fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).rejects(awsError('AccessDeniedException', `not authorized to perform: kms:DescribeKey on resource: ${KEY_ARN}`));
    const error = await refused(fx);
    expect(error.message).toContain(SOURCE_PLACE);
    expect(error.message).toContain(SOURCE_ROLE);
    expect(error.message).toContain(JSON.stringify({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: KEY_ARN }, null, 2));
  });

  it('the key policy lacks the target: the missing actions and the statements to add, with the real role ARN', async () => {
    const { fx } = world({}, { policy: policyWithoutTarget() });
    const error = await refused(fx);
    expect(error.message).toContain(SOURCE_PLACE);
    expect(error.message).toContain('missing kms:DescribeKey, kms:Decrypt, kms:ReEncryptFrom, kms:CreateGrant');
    expect(error.message).toContain(JSON.stringify(targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT), null, 2));
    expect(error.message).toContain(`"AWS": "${TARGET_ROLE}"`);
  });

  it('an explicit Deny in the key policy', async () => {
    const deny: PolicyStatement = { Sid: 'NoProduction', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
    const { fx } = world({}, { policy: keyPolicy(...policyAllowingTargetRole().Statement, deny) });
    const error = await refused(fx);
    expect(error.message).toContain(SOURCE_PLACE);
    expect(error.message).toContain('explicitly denies');
    expect(error.message).toContain('NoProduction');
  });

  it('the target role cannot describe the key: the target IAM statement with the key ARN', async () => {
    const { fx } = world();
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:DescribeKey'));
    const error = await refused(fx);
    expect(error.message).toContain(TARGET_PLACE);
    expect(error.message).toContain(JSON.stringify(targetRoleSourceKeyStatements(KEY_ARN), null, 2));
    expect(error.message).toContain(TARGET_ROLE);
  });

  it('a key policy allowing only the target account root passes verify when the target-side probe passes', async () => {
    const { fx } = world({}, { policy: policyAllowingTargetRoot() });
    await expect(promote(fx.ctx, await runPreflight(fx.ctx))).resolves.toMatchObject({ reused: false });
    expect(fx.source.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(GetKeyPolicyCommand, 1);
    expect(fx.target.kms(SOURCE_REGION)).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: KEY_ARN });
    expect(fx.mutations().filter((m) => /CreateGrant|PutKeyPolicy/.test(m))).toEqual([]);
  });

  it('... and refuses it when the target-side probe is denied', async () => {
    const { fx } = world({}, { policy: policyAllowingTargetRoot() });
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).rejects(awsError('AccessDeniedException', 'denied'));
    const error = await refused(fx);
    expect(error.message).toContain(TARGET_PLACE);
    expect(error.message).toContain(`"Resource": "${KEY_ARN}"`);
  });

  it('a target key alias missing in a target region', async () => {
    const { fx } = world({ targetRegions: TWO_REGIONS, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    fx.target.kms(SECOND_REGION).on(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).rejects(awsError('NotFoundException', 'Alias is not found.'));
    const error = await refused(fx);
    expect(error.message).toContain(`(target account ${TARGET_ACCOUNT}, ${SECOND_REGION})`);
  });
});

describe('key access by mode', () => {
  it('verify changes nothing on the key', async () => {
    const { fx } = world();
    const stages = journalByStage(fx);
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.source.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(CreateGrantCommand, 0);
    expect(fx.source.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 0);
    expect(stages['Key access']).toEqual([]);
    expect(result.keyChanges).toEqual([]);
  });

  it('grant: a grant for the target role before sharing, journaled, waited for until the target can describe the key', async () => {
    const { fx, w } = world({ keyAccess: 'grant' }, { policy: policyWithoutTarget() });
    const denied = awsError('AccessDeniedException', 'not authorized');
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: KEY_ARN }).rejectsOnce(denied).rejectsOnce(denied).resolves({ KeyMetadata: keyMetadata() });
    const stages = journalByStage(fx);
    await promote(fx.ctx, await runPreflight(fx.ctx));

    const grant = input(fx.source.kms(SOURCE_REGION).commandCalls(CreateGrantCommand));
    expect(grant).toEqual({
      KeyId: KEY_ARN,
      GranteePrincipal: TARGET_ROLE,
      RetiringPrincipal: SOURCE_ROLE,
      Operations: ['DescribeKey', 'Decrypt', 'ReEncryptFrom', 'CreateGrant'],
      Name: expect.stringContaining(PROVENANCE.runId),
    });
    expect(fx.target.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(DescribeKeyCommand, 3);
    expect(stages['Key access']).toEqual([{ kind: 'grant', region: SOURCE_REGION, keyArn: KEY_ARN, grantId: w.grantId, grantName: grant?.Name }]);
    const order = fx.mutations();
    expect(order.indexOf(`source kms ${SOURCE_REGION} CreateGrant`)).toBeLessThan(order.indexOf(`source ec2 ${SOURCE_REGION} ModifyImageAttribute`));
    // The probe passed before anything was shared.
    const sent = fx.sent.map((c) => `${c.side} ${c.command}`);
    expect(sent.lastIndexOf('target DescribeKey')).toBeLessThan(sent.indexOf('source ModifyImageAttribute'));
  });

  it('key-policy: appends the missing statements, keeping every existing one, and journals them', async () => {
    const original = policyWithoutTarget();
    const { fx } = world({ keyAccess: 'key-policy' }, { policy: original });
    const stages = journalByStage(fx);
    await promote(fx.ctx, await runPreflight(fx.ctx));
    const put = input(fx.source.kms(SOURCE_REGION).commandCalls(PutKeyPolicyCommand));
    expect(put?.KeyId).toBe(KEY_ARN);
    const policy = JSON.parse(put?.Policy as string) as { Statement: PolicyStatement[] };
    expect(policy.Statement.slice(0, original.Statement.length)).toEqual(original.Statement);
    expect(policy.Statement.slice(original.Statement.length)).toEqual(targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT));
    expect(stages['Key access']).toEqual(
      targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT).map((s) => ({ kind: 'key-policy-statement', region: SOURCE_REGION, keyArn: KEY_ARN, sid: s.Sid })),
    );
  });

  it('key-policy: no PutKeyPolicy when the statements are already there', async () => {
    const { fx } = world({ keyAccess: 'key-policy' }, { policy: keyPolicy(ROOT_STATEMENT, ...targetRoleKeyStatements(TARGET_ROLE, TARGET_ACCOUNT)) });
    await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(fx.source.kms(SOURCE_REGION)).toHaveReceivedCommandTimes(PutKeyPolicyCommand, 0);
    expect(fx.journal.entries().filter((e) => e.kind === 'key-policy-statement')).toEqual([]);
  });
});

describe('failures after the first change', () => {
  it('a target copy that fails: the journal keeps everything for cleanup, the failure carries the StateReason', async () => {
    const { fx, w } = world();
    fx.target
      .ec2(SOURCE_REGION)
      .on(DescribeImagesCommand, { ImageIds: [w.targetImages[SOURCE_REGION] as string] })
      .resolves({ Images: [{ ...image({ imageId: w.targetImages[SOURCE_REGION], state: 'failed' }), StateReason: { Code: 'Client.InvalidKMSKey', Message: 'Given key ID is not accessible' } }] });
    const stages = journalByStage(fx);
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(result.targets).toEqual([{ accountId: TARGET_ACCOUNT, regions: [] }]);
    const error = result.failures[0]?.error as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.message).toContain('Given key ID is not accessible');
    expect(error.message).toMatch(/KMS/);
    expect(stages['Copy into the target accounts']).toEqual([{ kind: 'target-copy', accountId: TARGET_ACCOUNT, region: SOURCE_REGION, imageId: w.targetImages[SOURCE_REGION] }]);
    expect(fx.journal.entries().map((e) => e.kind)).toEqual(['intermediate-copy', 'lease', 'intermediate-copy', 'launch-permission', 'volume-permission', 'target-copy']);
    expect(stages.Finish).toEqual([]);
  });

  it('the wait timeout covers the whole run', async () => {
    const { fx, w } = world({ waitTimeoutMinutes: 5 });
    fx.target.ec2(SOURCE_REGION).on(DescribeImagesCommand, { ImageIds: [w.targetImages[SOURCE_REGION] as string] }).resolves({ Images: [image({ imageId: w.targetImages[SOURCE_REGION], snapshotIds: w.targetSnapshots[SOURCE_REGION], state: 'pending' })] });
    const error = (await promote(fx.ctx, await runPreflight(fx.ctx))).failures[0]?.error as PromotionError;
    expect(error.message).toContain('wait-timeout-minutes');
    expect(error.details).toMatchObject({ side: 'target', region: SOURCE_REGION });
    expect(fx.clock.now()).toBe(START + 5 * 60_000);
  });

  it('cancellation stops the wait and keeps the journal', async () => {
    const { fx } = world({}, { pendingPolls: 50 });
    const reason = new Error('The job was cancelled (SIGTERM).');
    fx.clock.onSleep = () => {
      if (fx.clock.sleeps.length === 3) fx.abort.abort(reason);
    };
    await expect(promote(fx.ctx, await runPreflight(fx.ctx))).rejects.toBe(reason);
    expect(fx.journal.entries()).toEqual([
      { kind: 'intermediate-copy', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, snapshotIds: [] },
      { kind: 'lease', region: SOURCE_REGION, imageId: INTERMEDIATE_AMI, key: leaseTag(fx.ctx).Key },
    ]);
    expect(fx.mutations()).toEqual([`source ec2 ${SOURCE_REGION} CopyImage`]);
  });
});

describe('the fixture', () => {
  it('gives each account, service and region its own client', () => {
    const fx = buildContext({ targetRegions: TWO_REGIONS });
    expect(fx.ctx.source.ec2(SOURCE_REGION)).not.toBe(fx.ctx.target.ec2(SOURCE_REGION));
    expect(fx.ctx.target.ec2(SOURCE_REGION)).not.toBe(fx.ctx.target.ec2(SECOND_REGION));
    expect(fx.ctx.target.kms(SOURCE_REGION)).not.toBe(fx.ctx.target.ssm(SOURCE_REGION));
    expect(fx.ctx.target.ec2(SECOND_REGION)).toBe(fx.ctx.target.ec2(SECOND_REGION));
    expect(() => fx.ctx.source.ec2(SECOND_REGION)).toThrow(/no ec2 client in eu-central-1/);
  });

  it('rejects a command without a mocked response', async () => {
    const fx = buildContext();
    await expect(fx.ctx.source.ec2(SOURCE_REGION).send(new CopyImageCommand({ SourceImageId: SOURCE_AMI, SourceRegion: SOURCE_REGION, Name: 'x' }))).rejects.toThrow(/No response mocked/);
    expect(fx.mutations()).toEqual([`source ec2 ${SOURCE_REGION} CopyImage`]);
  });

  it('has a clock that only moves when asked', async () => {
    const fx = buildContext();
    await fx.clock.sleep(1234);
    expect(fx.clock.now()).toBe(START + 1234);
    expect(fx.clock.sleeps).toEqual([1234]);
  });
});

describe('copies into several regions', () => {
  const TWO = [SOURCE_REGION, SECOND_REGION];

  it('a copy that fails does not stop the other: it finishes, is finished off, and the failure names its account and region', async () => {
    const { fx, w } = world({ targetRegions: TWO, deregistrationProtection: true });
    fx.target.ec2(SOURCE_REGION).on(CopyImageCommand).rejects(awsError('InvalidParameterValue', 'Something AWS refused'));
    const result = await promote(fx.ctx, await runPreflight(fx.ctx));
    expect(result.failures.map((f) => [f.accountId, f.region])).toEqual([[TARGET_ACCOUNT, SOURCE_REGION]]);
    expect((result.failures[0]?.error as Error).message).toContain('Something AWS refused');
    expect(result.targets).toEqual([{ accountId: TARGET_ACCOUNT, regions: [expect.objectContaining({ region: SECOND_REGION, imageId: w.targetImages[SECOND_REGION] })] }]);
    expect(fx.target.ec2(SECOND_REGION)).toHaveReceivedCommandWith(EnableImageDeregistrationProtectionCommand, { ImageId: w.targetImages[SECOND_REGION] });
    expect(fx.journal.entries()).toContainEqual({ kind: 'target-copy-done', accountId: TARGET_ACCOUNT, region: SECOND_REGION, imageId: w.targetImages[SECOND_REGION] });
  });

  it('runs at most max-parallel-copies at a time: with 1, the second copy starts after the first is available', async () => {
    const { fx } = world({ targetRegions: TWO, maxParallelCopies: 1 });
    await promote(fx.ctx, await runPreflight(fx.ctx));
    const trail = fx.sent.filter((c) => c.side === 'target' && ['CopyImage', 'DescribeImages'].includes(c.command) && !('Owners' in c.input)).map((c) => `${c.region} ${c.command}`);
    const secondStart = trail.indexOf(`${SECOND_REGION} CopyImage`);
    expect(trail.slice(0, secondStart)).toContain(`${SOURCE_REGION} CopyImage`);
    expect(trail.slice(secondStart).filter((c) => c.startsWith(SOURCE_REGION))).toEqual([]);
  });

  it('starts every copy before waiting for any when the bound allows it', async () => {
    const { fx } = world({ targetRegions: TWO });
    await promote(fx.ctx, await runPreflight(fx.ctx));
    const copies = fx.sent.filter((c) => c.side === 'target' && c.command === 'CopyImage').map((c) => fx.sent.indexOf(c));
    const firstWait = fx.sent.findIndex((c) => c.side === 'target' && c.command === 'DescribeImages' && 'ImageIds' in c.input);
    expect(copies).toHaveLength(2);
    expect(Math.max(...copies)).toBeLessThan(firstWait);
  });
});
