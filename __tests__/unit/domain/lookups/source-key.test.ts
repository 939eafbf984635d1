import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { PromotionError } from '../../../../src/aws/errors.js';
import { inspectSourceKey } from '../../../../src/domain/lookups/source-key.js';
import { KEY_ARN, KEY_ID, SOURCE_ACCOUNT, SOURCE_REGION, SOURCE_ROLE, awsError, buildContext, keyMetadata, kmsArn } from '../../../support/pipeline-fixtures.js';

function setup(metadata: Partial<KeyMetadata> = {}, kmsKey = KEY_ARN) {
  const fx = buildContext({ kmsKey: kmsArn(kmsKey) });
  const kms = fx.source.kms(SOURCE_REGION);
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: keyMetadata(metadata) });
  return { fx, kms };
}

async function refusal(fx: ReturnType<typeof buildContext>): Promise<PromotionError> {
  const error = await inspectSourceKey(fx.ctx).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PromotionError);
  const problem = error as PromotionError;
  expect(problem.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
  expect(problem.message).toContain(`(source account ${SOURCE_ACCOUNT}, ${SOURCE_REGION})`);
  expect(fx.mutations()).toEqual([]);
  return problem;
}

describe('checking the source key', () => {
  it('describes the key with source credentials in its region', async () => {
    const { fx, kms } = setup();
    await expect(inspectSourceKey(fx.ctx)).resolves.toEqual({ arn: KEY_ARN, keyId: KEY_ID, accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
    expect(kms).toHaveReceivedCommandTimes(DescribeKeyCommand, 1);
    expect(kms.commandCalls(DescribeKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN });
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`source kms ${SOURCE_REGION} DescribeKey`]);
  });

  it('resolves an alias ARN to the key ARN', async () => {
    const alias = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:alias/ami-promotion`;
    const { fx, kms } = setup({}, alias);
    await expect(inspectSourceKey(fx.ctx)).resolves.toMatchObject({ arn: KEY_ARN });
    expect(kms).toHaveReceivedCommandWith(DescribeKeyCommand, { KeyId: alias });
  });

  it('refuses an AWS-managed key', async () => {
    const { fx } = setup({ KeyManager: 'AWS', Description: 'Default key that protects my EBS volumes when no other key is defined' });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain('AWS-managed');
    expect(problem.details.fix).toContain('customer-managed symmetric');
  });

  it.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT'],
    ['ECC_NIST_P256', 'SIGN_VERIFY'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC'],
  ] as const)('refuses a %s key for %s', async (KeySpec, KeyUsage) => {
    const { fx } = setup({ KeySpec, KeyUsage });
    const problem = await refusal(fx);
    expect(problem.details.why).toContain(`a ${KeySpec} key for ${KeyUsage}`);
    expect(problem.details.why).toContain('symmetric');
  });

  it('refuses a disabled key and says how to enable it', async () => {
    const { fx } = setup({ KeyState: 'Disabled', Enabled: false });
    const problem = await refusal(fx);
    expect(problem.details.why).toBe('the key is Disabled.');
    expect(problem.details.fix).toContain(`aws kms enable-key --key-id ${KEY_ARN}`);
  });

  it('refuses a key pending deletion and says how to cancel it', async () => {
    const { fx } = setup({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2030-01-08T00:00:00Z') });
    const problem = await refusal(fx);
    expect(problem.details.why).toBe('the key is PendingDeletion.');
    expect(problem.details.fix).toContain(`aws kms cancel-key-deletion --key-id ${KEY_ARN}`);
  });

  it('refuses a key that does not exist', async () => {
    const fx = buildContext();
    fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand).rejects(awsError('NotFoundException', `Key '${KEY_ARN}' does not exist`));
    const problem = await refusal(fx);
    expect(problem.details.why).toContain(`no key or alias ${KEY_ARN} exists`);
  });

  it('explains a denied DescribeKey with the IAM statement for the key ARN', async () => {
    const fx = buildContext();
    fx.source
      .kms(SOURCE_REGION)
      .on(DescribeKeyCommand)
      .rejects(awsError('AccessDeniedException', `User: ${SOURCE_ROLE} is not authorized to perform: kms:DescribeKey on resource: ${KEY_ARN}`));
    const problem = await refusal(fx);
    expect(problem.details.fix).toContain(SOURCE_ROLE);
    expect(problem.details.fix).toContain(JSON.stringify({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: KEY_ARN }, null, 2));
  });
});

describe('a denied DescribeKey on an alias ARN', () => {
  it('asks for the keys of the account, since IAM never matches an alias ARN for DescribeKey', async () => {
    const alias = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:alias/ami-promotion`;
    const fx = buildContext({ kmsKey: kmsArn(alias) });
    fx.source.kms(SOURCE_REGION).on(DescribeKeyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:DescribeKey'));
    const problem = await refusal(fx);
    expect(problem.details.fix).toContain(
      JSON.stringify({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/*` }, null, 2),
    );
  });
});
