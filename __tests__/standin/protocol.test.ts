/** The real SDK v3 clients parse the stand-in's success and error answers of every protocol. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region } = DEFAULTS;
let standin: StandIn;
let source: Clients;
let target: Clients;

beforeAll(async () => {
  standin = await startStandIn(defaultWorld());
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
  target = clientsFor(standin, region, await assumeRole(standin));
});
afterAll(() => standin.close());

describe('EC2 query protocol', () => {
  it('DescribeImages answers with the image, its block devices and the owner tags', async () => {
    const out = await source.ec2.send(new DescribeImagesCommand({ ImageIds: [DEFAULTS.sourceAmiId] }));
    expect(out.Images).toHaveLength(1);
    const image = out.Images?.[0];
    expect(image).toMatchObject({
      ImageId: DEFAULTS.sourceAmiId,
      Name: DEFAULTS.sourceAmiName,
      OwnerId: sourceAccount,
      State: 'available',
      Public: false,
      RootDeviceType: 'ebs',
      RootDeviceName: '/dev/xvda',
      Architecture: 'x86_64',
      EnaSupport: true,
      DeregistrationProtection: 'disabled',
    });
    expect(image?.BlockDeviceMappings?.[0]?.Ebs).toEqual({
      SnapshotId: DEFAULTS.sourceSnapshotId,
      VolumeSize: 8,
      VolumeType: 'gp3',
      DeleteOnTermination: true,
      Encrypted: false,
    });
    expect(image?.Tags).toEqual(expect.arrayContaining([{ Key: 'Name', Value: 'golden-base' }]));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('DescribeSnapshots answers with state, progress and start time', async () => {
    const out = await source.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [DEFAULTS.sourceSnapshotId] }));
    expect(out.Snapshots?.[0]).toMatchObject({ SnapshotId: DEFAULTS.sourceSnapshotId, State: 'completed', Progress: '100%', Encrypted: false });
    expect(out.Snapshots?.[0]?.StartTime).toBeInstanceOf(Date);
  });

  it('errors arrive with the EC2 code as the error name', async () => {
    const error = await expectAwsError(source.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-00000000000000000'] })), 'InvalidAMIID.NotFound');
    expect(error.message).toContain('ami-00000000000000000');
    expect(error.$metadata.httpStatusCode).toBe(400);
    await expectAwsError(source.ec2.send(new DescribeImagesCommand({ ImageIds: ['not-an-ami'] })), 'InvalidAMIID.Malformed');
  });
});

describe('KMS JSON protocol', () => {
  it('DescribeKey by alias answers with the key metadata', async () => {
    const out = await source.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias }));
    expect(out.KeyMetadata).toMatchObject({
      Arn: DEFAULTS.sourceKeyArn,
      KeyId: DEFAULTS.sourceKeyId,
      AWSAccountId: sourceAccount,
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      MultiRegion: false,
      Origin: 'AWS_KMS',
    });
    expect(out.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
  });

  it('errors arrive as modelled exceptions', async () => {
    const error = await expectAwsError(source.kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), 'NotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('STS and IAM query protocol', () => {
  it('GetCallerIdentity names the user and the assumed role', async () => {
    expect(await source.sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: sourceAccount,
      Arn: DEFAULTS.sourceAdmin.userArn,
    });
    const identity = await target.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${targetAccount}:assumed-role/${DEFAULTS.targetRoleName}/standin-test`);
    expect(identity.UserId).toMatch(/^AROA[A-Z0-9]+:standin-test$/);
  });

  it('unknown access keys are InvalidClientTokenId', async () => {
    const stranger = clientsFor(standin, region, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
    await expectAwsError(stranger.sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });

  it('SimulatePrincipalPolicy reports decisions per action', async () => {
    const out = await target.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: DEFAULTS.targetRoleArn,
        ActionNames: ['ec2:CopyImage', 'ec2:RunInstances'],
      }),
    );
    expect(out.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['ec2:CopyImage', 'allowed'],
      ['ec2:RunInstances', 'implicitDeny'],
    ]);
  });

  it('IAM errors arrive with their code', async () => {
    await expectAwsError(source.iam.send(new GetRoleCommand({ RoleName: 'nope' })), 'NoSuchEntityException');
  });
});

describe('SSM JSON protocol', () => {
  it('PutParameter then GetParameter, and ParameterNotFound', async () => {
    const put = await target.ssm.send(
      new PutParameterCommand({ Name: '/golden/ami', Value: 'ami-0123456789abcdef0', Type: 'String', DataType: 'aws:ec2:image' }),
    );
    expect(put.Version).toBe(1);
    const got = await target.ssm.send(new GetParameterCommand({ Name: '/golden/ami' }));
    expect(got.Parameter).toMatchObject({ Name: '/golden/ami', Value: 'ami-0123456789abcdef0', DataType: 'aws:ec2:image', Version: 1 });
    await expectAwsError(target.ssm.send(new GetParameterCommand({ Name: '/nope' })), 'ParameterNotFound');
    await expectAwsError(
      target.ssm.send(new PutParameterCommand({ Name: '/golden/ami', Value: 'ami-0123456789abcdef1', Type: 'String' })),
      'ParameterAlreadyExists',
    );
    const overwritten = await target.ssm.send(
      new PutParameterCommand({ Name: '/golden/ami', Value: 'ami-0123456789abcdef1', Type: 'String', DataType: 'aws:ec2:image', Overwrite: true }),
    );
    expect(overwritten.Version).toBe(2);
    expect(standin.parameter(targetAccount, region, '/golden/ami')).toMatchObject({ value: 'ami-0123456789abcdef1', version: 2 });
    await expectAwsError(
      target.ssm.send(new PutParameterCommand({ Name: '/golden/bad', Value: 'not-an-ami', Type: 'String', DataType: 'aws:ec2:image' })),
      'ValidationException',
    );
  });
});
