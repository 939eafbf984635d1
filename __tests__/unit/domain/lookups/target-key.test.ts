import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { GetEbsDefaultKmsKeyIdCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { PromotionError } from '../../../../src/aws/errors.js';
import { resolveTargetKey } from '../../../../src/domain/lookups/target-key.js';
import type { TargetContext } from '../../../../src/domain/context.js';
import {
  SECOND_REGION,
  SOURCE_REGION,
  TARGET_ACCOUNT,
  TARGET_ALIAS,
  awsError,
  buildContext,
  keyMetadata,
  kmsArn,
  targetDefaultKeyArn,
  targetKeyArn,
} from '../../../support/pipeline-fixtures.js';

const regions = [SOURCE_REGION, SECOND_REGION];

function targetMetadata(region: string, extra = {}) {
  const arn = targetKeyArn(region);
  return keyMetadata({ AWSAccountId: TARGET_ACCOUNT, Arn: arn, KeyId: arn.split('/').pop(), ...extra });
}


/** Every target region's key, as the preflight resolves them. */
const resolveTargetKeys = (ctx: TargetContext) => Promise.all(ctx.target.spec.regions.map((region) => resolveTargetKey(ctx.target, region)));

describe('resolving the target keys', () => {
  it('resolves an alias in every target region with that region\'s client', async () => {
    const fx = buildContext({ targetRegions: regions, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    for (const region of regions) fx.target.kms(region).on(DescribeKeyCommand, { KeyId: TARGET_ALIAS }).resolves({ KeyMetadata: targetMetadata(region) });
    const keys = await resolveTargetKeys(fx.ctx);
    expect(keys).toEqual(
      regions.map((region) => ({ region, arn: targetKeyArn(region), label: targetKeyArn(region), display: targetKeyArn(region), keyManager: 'CUSTOMER' })),
    );
    for (const region of regions) {
      expect(fx.target.kms(region).commandCalls(DescribeKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: TARGET_ALIAS }]);
    }
    expect(fx.target.client('kms', SOURCE_REGION)).not.toBe(fx.target.client('kms', SECOND_REGION));
    expect(fx.sent.every((c) => c.side === 'target')).toBe(true);
  });

  it('describes a key ARN in its region', async () => {
    const arn = targetKeyArn(SOURCE_REGION);
    const fx = buildContext({ targetKey: { kind: 'arn', key: kmsArn(arn) } });
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand, { KeyId: arn }).resolves({ KeyMetadata: targetMetadata(SOURCE_REGION) });
    await expect(resolveTargetKeys(fx.ctx)).resolves.toEqual([{ region: SOURCE_REGION, arn, label: arn, display: arn, keyManager: 'CUSTOMER' }]);
  });

  it('leaves the default EBS key to EC2, naming it when the account says which it is', async () => {
    const fx = buildContext({ targetRegions: regions });
    fx.target.ec2(SOURCE_REGION).on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: targetDefaultKeyArn(SOURCE_REGION) });
    fx.target.ec2(SECOND_REGION).on(GetEbsDefaultKmsKeyIdCommand).rejects(awsError('UnauthorizedOperation', 'denied'));
    await expect(resolveTargetKeys(fx.ctx)).resolves.toEqual([
      { region: SOURCE_REGION, label: 'default', display: `${targetDefaultKeyArn(SOURCE_REGION)} (default EBS key)` },
      { region: SECOND_REGION, label: 'default', display: "the target account's default EBS key" },
    ]);
    expect(fx.mutations()).toEqual([]);
  });

  it('refuses an alias missing in one target region, naming that region and the target account', async () => {
    const fx = buildContext({ targetRegions: regions, targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand).resolves({ KeyMetadata: targetMetadata(SOURCE_REGION) });
    fx.target.kms(SECOND_REGION).on(DescribeKeyCommand).rejects(awsError('NotFoundException', `Alias ${TARGET_ALIAS} is not found.`));
    const error = (await resolveTargetKeys(fx.ctx).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SECOND_REGION });
    expect(error.message).toContain(`(target account ${TARGET_ACCOUNT}, ${SECOND_REGION})`);
    expect(error.details.why).toContain(TARGET_ALIAS);
  });

  it.each([
    ['an asymmetric key', { KeySpec: 'RSA_2048' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const }, 'symmetric'],
    ['a disabled key', { KeyState: 'Disabled' as const, Enabled: false }, 'Disabled'],
    ['a key pending deletion', { KeyState: 'PendingDeletion' as const, Enabled: false }, 'PendingDeletion'],
  ])('refuses %s', async (_, extra, why) => {
    const fx = buildContext({ targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand).resolves({ KeyMetadata: targetMetadata(SOURCE_REGION, extra) });
    const error = (await resolveTargetKeys(fx.ctx).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
    expect(error.details.why).toContain(why);
  });

  it('explains a denied DescribeKey on the target key', async () => {
    const fx = buildContext({ targetKey: { kind: 'alias', aliasName: TARGET_ALIAS } });
    fx.target.kms(SOURCE_REGION).on(DescribeKeyCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: kms:DescribeKey'));
    const error = (await resolveTargetKeys(fx.ctx).catch((e: unknown) => e)) as PromotionError;
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details.side).toBe('target');
    expect(error.details.fix).toContain('kms:DescribeKey');
  });
});
