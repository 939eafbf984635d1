/** KMS: key resolution, key and IAM policies, grants, conditions and key states. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CopyImageCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import {
  CreateGrantCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  ListAliasesCommand,
  ListGrantsCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { allow, deny, policyOf, rootKeyPolicy } from '../../standin/index.js';
import type { StandInOptions } from '../../standin/settings.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';
import type { WorldBuilder } from '../../standin/world.js';

const { sourceAccount, targetAccount, region, sourceKeyArn, targetRoleArn } = DEFAULTS;
let standin: StandIn;
let source: Clients;
let target: Clients;

/** The default world without the key-policy statements that name the target role. */
function noTargetStatements(): WorldBuilder {
  const world = defaultWorld();
  world.account(sourceAccount).removeKeyStatements(region, DEFAULTS.sourceKeyAlias, ...DEFAULTS.targetKeyStatementSids);
  return world;
}

async function start(world: WorldBuilder = defaultWorld(), options: StandInOptions = {}) {
  standin = await startStandIn(world, { copyDurationMs: 1000, ...options });
  source = clientsFor(standin, region, standin.credentials(sourceAccount));
  target = clientsFor(standin, region, await assumeRole(standin));
}

afterEach(() => standin.close());

describe('key resolution', () => {
  beforeEach(() => start());

  it('a key in another account is found only by key ARN or alias ARN', async () => {
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias })), 'NotFoundException');
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyId })), 'NotFoundException');
    const byArn = await target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn }));
    expect(byArn.KeyMetadata?.AWSAccountId).toBe(sourceAccount);
    const byAliasArn = await target.kms.send(
      new DescribeKeyCommand({ KeyId: `arn:aws:kms:${region}:${sourceAccount}:${DEFAULTS.sourceKeyAlias}` }),
    );
    expect(byAliasArn.KeyMetadata?.Arn).toBe(sourceKeyArn);
    const own = await target.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.targetKeyAlias }));
    expect(own.KeyMetadata?.KeyId).toBe(DEFAULTS.targetKeyIds[region]);
  });

  it('ListAliases lists the caller account’s aliases, optionally for one key', async () => {
    const all = await source.kms.send(new ListAliasesCommand({}));
    expect(all.Aliases?.map((a) => a.AliasName)).toEqual([DEFAULTS.sourceKeyAlias]);
    const forKey = await target.kms.send(new ListAliasesCommand({ KeyId: DEFAULTS.targetKeyIds[region] }));
    expect(forKey.Aliases).toEqual([
      expect.objectContaining({
        AliasName: DEFAULTS.targetKeyAlias,
        AliasArn: `arn:aws:kms:${region}:${targetAccount}:${DEFAULTS.targetKeyAlias}`,
        TargetKeyId: DEFAULTS.targetKeyIds[region],
      }),
    ]);
  });
});

describe('key policy and IAM policy together', () => {
  it('cross-account use needs the key policy AND the IAM policy; an explicit deny in either wins', async () => {
    await start();
    const plaintext = new TextEncoder().encode('secret');
    const { CiphertextBlob } = await target.kms.send(new EncryptCommand({ KeyId: sourceKeyArn, Plaintext: plaintext }));
    const decrypted = await target.kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('secret');

    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'ami-promotion-source-key', undefined);
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');

    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'ami-promotion-source-key', policyOf(allow('kms:*', sourceKeyArn)));
    standin.setRolePolicy(targetAccount, DEFAULTS.targetRoleName, 'deny-encrypt', policyOf(deny('kms:Encrypt')));
    const error = await expectAwsError(target.kms.send(new EncryptCommand({ KeyId: sourceKeyArn, Plaintext: plaintext })), 'AccessDeniedException');
    expect(error.message).toContain('kms:Encrypt');
    await target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn }));
  });

  it('an account-root statement needs the IAM policy, also in the key’s own account', async () => {
    const world = defaultWorld();
    world.account(sourceAccount).user('reader', { policies: { none: policyOf(allow('ec2:DescribeImages')) } });
    await start(world);
    const reader = clientsFor(standin, region, standin.credentials(sourceAccount, 'reader'));
    await expectAwsError(reader.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias })), 'AccessDeniedException');
    standin.setKeyPolicy(sourceAccount, region, DEFAULTS.sourceKeyAlias, {
      ...rootKeyPolicy(sourceAccount),
      Statement: [
        ...[rootKeyPolicy(sourceAccount).Statement].flat(),
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${sourceAccount}:user/reader` }, Action: 'kms:DescribeKey', Resource: '*' },
      ],
    });
    await reader.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias }));
  });

  it('aws:PrincipalArn conditions tell the target role from other principals of its account', async () => {
    const world = noTargetStatements();
    world.account(sourceAccount).keyStatements(region, DEFAULTS.sourceKeyAlias, {
      Effect: 'Allow',
      Principal: { AWS: targetAccount },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { ArnEquals: { 'aws:PrincipalArn': targetRoleArn } },
    });
    await start(world);
    await target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn }));
    const targetAdmin = clientsFor(standin, region, standin.credentials(targetAccount));
    await expectAwsError(targetAdmin.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
  });

  it('an explicit deny in the key policy beats a grant', async () => {
    const world = noTargetStatements();
    world.account(sourceAccount).keyStatements(region, DEFAULTS.sourceKeyAlias, deny('kms:DescribeKey', '*', { Principal: { AWS: targetRoleArn } }));
    await start(world);
    await source.kms.send(new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['DescribeKey', 'Decrypt'] }));
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
  });
});

describe('grants', () => {
  it('make a key usable for direct calls without a key-policy statement; revoking ends that', async () => {
    await start(noTargetStatements());
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
    const { GrantId } = await source.kms.send(
      new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['DescribeKey', 'Encrypt', 'Decrypt'] }),
    );
    await target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn }));
    const { CiphertextBlob } = await target.kms.send(new EncryptCommand({ KeyId: sourceKeyArn, Plaintext: new Uint8Array([1, 2]) }));
    expect(standin.calls({ operation: 'Encrypt' })[0]?.notes?.authorizedBy).toBe('grant');
    await expectAwsError(target.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: sourceKeyArn, KeySpec: 'AES_256' })), 'AccessDeniedException');
    await source.kms.send(new RevokeGrantCommand({ KeyId: DEFAULTS.sourceKeyAlias, GrantId }));
    await expectAwsError(target.kms.send(new DecryptCommand({ CiphertextBlob })), 'AccessDeniedException');
    expect(standin.grants(sourceAccount, region, DEFAULTS.sourceKeyAlias)).toEqual([]);
  });

  it('CreateGrant with the same name, grantee and operations returns the same grant', async () => {
    await start();
    const input = { KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['Decrypt' as const, 'DescribeKey' as const], Name: 'promotion-1' };
    const first = await source.kms.send(new CreateGrantCommand(input));
    const again = await source.kms.send(new CreateGrantCommand({ ...input, Operations: ['DescribeKey', 'Decrypt'] }));
    expect(again.GrantId).toBe(first.GrantId);
    expect(again.GrantToken).toBe(first.GrantToken);
    const other = await source.kms.send(new CreateGrantCommand({ ...input, Operations: ['Decrypt'] }));
    expect(other.GrantId).not.toBe(first.GrantId);
    const listed = await source.kms.send(new ListGrantsCommand({ KeyId: DEFAULTS.sourceKeyAlias }));
    expect(listed.Grants?.map((g) => [g.GrantId, g.Name, g.GranteePrincipal])).toEqual([
      [first.GrantId, 'promotion-1', targetRoleArn],
      [other.GrantId, 'promotion-1', targetRoleArn],
    ]);
    expect(standin.mutations({ operation: 'CreateGrant' })).toHaveLength(2);
    await expectAwsError(
      source.kms.send(new CreateGrantCommand({ ...input, Operations: ['Fly' as 'Decrypt'] })),
      'ValidationException',
    );
  });

  it('are retired by the retiring principal, by the grantee with RetireGrant, or by token; not by others', async () => {
    await start(noTargetStatements());
    const retirable = await source.kms.send(
      new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, RetiringPrincipal: targetRoleArn, Operations: ['Decrypt'] }),
    );
    const selfRetiring = await source.kms.send(
      new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['Decrypt', 'RetireGrant'] }),
    );
    const notRetirable = await source.kms.send(
      new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['Decrypt'] }),
    );
    await target.kms.send(new RetireGrantCommand({ KeyId: sourceKeyArn, GrantId: retirable.GrantId }));
    await target.kms.send(new RetireGrantCommand({ GrantToken: selfRetiring.GrantToken }));
    await expectAwsError(target.kms.send(new RetireGrantCommand({ KeyId: sourceKeyArn, GrantId: notRetirable.GrantId })), 'AccessDeniedException');
    await expectAwsError(target.kms.send(new RetireGrantCommand({ KeyId: sourceKeyArn, GrantId: 'f'.repeat(64) })), 'NotFoundException');
    expect(standin.grants(sourceAccount, region, sourceKeyArn).map((g) => g.grantId)).toEqual([notRetirable.GrantId]);
    await source.kms.send(new RetireGrantCommand({ KeyId: sourceKeyArn, GrantId: notRetirable.GrantId }));
    expect(standin.grants(sourceAccount, region, sourceKeyArn)).toEqual([]);
  });

  it('take effect after the propagation delay, or at once with the grant token', async () => {
    await start(noTargetStatements(), { grantPropagationMs: 60_000 });
    const { GrantToken } = await source.kms.send(
      new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['DescribeKey'] }),
    );
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
    await target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn, GrantTokens: [GrantToken ?? ''] }));
    standin.advanceTime(60_000);
    await target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn }));
  });

  it('a grant with CreateGrant lets the grantee create grants for a subset of its operations', async () => {
    await start(noTargetStatements());
    await source.kms.send(
      new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['Decrypt', 'CreateGrant'] }),
    );
    await target.kms.send(new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: DEFAULTS.targetAdmin.userArn, Operations: ['Decrypt'] }));
    await expectAwsError(
      target.kms.send(new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: DEFAULTS.targetAdmin.userArn, Operations: ['Encrypt'] })),
      'AccessDeniedException',
    );
  });
});

describe('conditions', () => {
  it('kms:GrantIsForAWSResource: the target may not create grants itself, but EC2 may on its behalf', async () => {
    const world = defaultWorld();
    world.account(sourceAccount).image(region, {
      imageId: 'ami-0fedcba9876543210',
      name: 'golden-encrypted',
      snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }],
      sharedWith: [targetAccount],
    });
    await start(world);
    await expectAwsError(
      target.kms.send(new CreateGrantCommand({ KeyId: sourceKeyArn, GranteePrincipal: targetRoleArn, Operations: ['Decrypt'] })),
      'AccessDeniedException',
    );
    await expectAwsError(target.kms.send(new ListGrantsCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
    const { ImageId } = await target.ec2.send(
      new CopyImageCommand({ SourceImageId: 'ami-0fedcba9876543210', SourceRegion: region, Name: 'copy', Encrypted: true, KmsKeyId: DEFAULTS.targetKeyAlias }),
    );
    const internalGrant = standin.calls({ internal: true, operation: 'CreateGrant' }).find((c) => c.params.KeyId === sourceKeyArn);
    expect(internalGrant?.outcome).toBe('ok');
    standin.advanceTime(1000);
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId ?? ''] }))).Images?.[0]?.State).toBe('available');
  });

  it('kms:ViaService: a statement limited to EC2 allows the copy but not direct calls', async () => {
    const world = noTargetStatements();
    world
      .account(sourceAccount)
      .keyStatements(region, DEFAULTS.sourceKeyAlias, {
        Sid: 'ViaEc2Only',
        Effect: 'Allow',
        Principal: { AWS: targetRoleArn },
        Action: ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:DescribeKey', 'kms:CreateGrant'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` } },
      })
      .image(region, {
        imageId: 'ami-0fedcba9876543210',
        name: 'golden-encrypted',
        snapshots: [{ kmsKey: DEFAULTS.sourceKeyAlias }],
        sharedWith: [targetAccount],
      });
    await start(world);
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
    const { ImageId } = await target.ec2.send(
      new CopyImageCommand({ SourceImageId: 'ami-0fedcba9876543210', SourceRegion: region, Name: 'copy', Encrypted: true, KmsKeyId: DEFAULTS.targetKeyAlias }),
    );
    standin.advanceTime(1000);
    expect((await target.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId ?? ''] }))).Images?.[0]?.State).toBe('available');
  });

  it('an AWS-managed key works only through EC2 in its own account', async () => {
    const world = defaultWorld();
    world.account(sourceAccount).image(region, { imageId: 'ami-00000000000000eb5', name: 'under-aws-ebs', snapshots: [{ kmsKey: 'alias/aws/ebs' }] });
    await start(world);
    const ebsKey = standin.key(sourceAccount, region, 'alias/aws/ebs');
    expect(ebsKey?.keyManager).toBe('AWS');
    const described = await source.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }));
    expect(described.KeyMetadata?.KeyManager).toBe('AWS');
    await expectAwsError(source.kms.send(new EncryptCommand({ KeyId: 'alias/aws/ebs', Plaintext: new Uint8Array([1]) })), 'AccessDeniedException');
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: ebsKey?.arn ?? '' })), 'AccessDeniedException');
    const { ImageId } = await source.ec2.send(new CopyImageCommand({ SourceImageId: 'ami-00000000000000eb5', SourceRegion: region, Name: 'same-account' }));
    standin.advanceTime(1000);
    const copy = standin.image(sourceAccount, region, ImageId ?? '');
    expect(copy?.state).toBe('available');
    expect(standin.snapshot(sourceAccount, region, copy?.blockDevices[0]?.snapshotId ?? '')?.kmsKeyArn).toBe(ebsKey?.arn);
  });
});

describe('key states and key specs', () => {
  it('a disabled key can be described but not used; a key pending deletion neither used', async () => {
    await start();
    standin.setKeyState(sourceAccount, region, DEFAULTS.sourceKeyAlias, 'Disabled');
    const described = await source.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias }));
    expect(described.KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    await expectAwsError(source.kms.send(new EncryptCommand({ KeyId: DEFAULTS.sourceKeyAlias, Plaintext: new Uint8Array([1]) })), 'DisabledException');
    await expectAwsError(
      source.kms.send(new CreateGrantCommand({ KeyId: DEFAULTS.sourceKeyAlias, GranteePrincipal: targetRoleArn, Operations: ['Decrypt'] })),
      'DisabledException',
    );
    standin.setKeyState(sourceAccount, region, DEFAULTS.sourceKeyAlias, 'PendingDeletion');
    await expectAwsError(
      source.kms.send(new EncryptCommand({ KeyId: DEFAULTS.sourceKeyAlias, Plaintext: new Uint8Array([1]) })),
      'KMSInvalidStateException',
    );
    expect((await source.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias }))).KeyMetadata?.DeletionDate).toBeInstanceOf(Date);
  });

  it('an asymmetric key is described with its spec and cannot make data keys', async () => {
    const world = defaultWorld();
    world.account(sourceAccount).key(region, { alias: 'alias/rsa', keySpec: 'RSA_2048' });
    await start(world);
    const described = await source.kms.send(new DescribeKeyCommand({ KeyId: 'alias/rsa' }));
    expect(described.KeyMetadata).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await expectAwsError(
      source.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'alias/rsa', KeySpec: 'AES_256' })),
      'InvalidKeyUsageException',
    );
  });
});

describe('key policies', () => {
  beforeEach(() => start());

  it('GetKeyPolicy returns the policy in the key’s account only', async () => {
    const { Policy, PolicyName } = await source.kms.send(new GetKeyPolicyCommand({ KeyId: DEFAULTS.sourceKeyAlias }));
    expect(PolicyName).toBe('default');
    expect(JSON.stringify(JSON.parse(Policy ?? '{}'))).toContain(targetRoleArn);
    await expectAwsError(target.kms.send(new GetKeyPolicyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
  });

  it('PutKeyPolicy refuses lock-outs, unknown principals and bad JSON, and records the change', async () => {
    const lockout = policyOf({ Effect: 'Allow', Principal: { AWS: targetRoleArn }, Action: 'kms:Decrypt', Resource: '*' });
    await expectAwsError(
      source.kms.send(new PutKeyPolicyCommand({ KeyId: DEFAULTS.sourceKeyAlias, Policy: JSON.stringify(lockout) })),
      'MalformedPolicyDocumentException',
    );
    const ghost = policyOf(...[rootKeyPolicy(sourceAccount).Statement].flat(), {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${targetAccount}:role/ghost` },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const error = await expectAwsError(
      source.kms.send(new PutKeyPolicyCommand({ KeyId: DEFAULTS.sourceKeyAlias, Policy: JSON.stringify(ghost) })),
      'MalformedPolicyDocumentException',
    );
    expect(error.message).toContain('role/ghost');
    await expectAwsError(source.kms.send(new PutKeyPolicyCommand({ KeyId: DEFAULTS.sourceKeyAlias, Policy: '{' })), 'MalformedPolicyDocumentException');
    expect(standin.mutations({ service: 'kms' })).toEqual([]);

    await source.kms.send(new PutKeyPolicyCommand({ KeyId: DEFAULTS.sourceKeyAlias, Policy: JSON.stringify(rootKeyPolicy(sourceAccount)) }));
    expect(standin.mutations({ service: 'kms' }).map((c) => c.operation)).toEqual(['PutKeyPolicy']);
    expect(JSON.stringify(standin.key(sourceAccount, region, DEFAULTS.sourceKeyAlias)?.policy)).not.toContain(targetRoleArn);
    await expectAwsError(target.kms.send(new DescribeKeyCommand({ KeyId: sourceKeyArn })), 'AccessDeniedException');
  });
});
