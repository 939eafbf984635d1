import { describe, expect, it } from '@jest/globals';
import 'aws-sdk-client-mock-jest';
import { DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { explainAwsError } from '../../../../src/aws/explain.js';
import { withDecodedAuthorization } from '../../../../src/domain/preflight/decode-authorization.js';
import { PromotionError } from '../../../../src/aws/errors.js';
import type { Side } from '../../../../src/domain/types.js';
import {
  INTERMEDIATE_AMI,
  SECOND_REGION,
  SOURCE_ACCOUNT,
  SOURCE_REGION,
  SOURCE_ROLE,
  SOURCE_SESSION,
  TARGET_ACCOUNT,
  TARGET_ROLE,
  TARGET_SESSION,
  awsError,
  buildContext,
} from '../../../support/pipeline-fixtures.js';

const ENCODED = 'Xyz-0_aBc9+/Def=';
const IMAGE_ARN = `arn:aws:ec2:${SECOND_REGION}::image/${INTERMEDIATE_AMI}`;

/** A PromotionError as `call` makes it from an EC2 UnauthorizedOperation. */
function unauthorized(side: Side, region: string | undefined, message = `You are not authorized to perform this operation. Encoded authorization failure message: ${ENCODED}`): PromotionError {
  return explainAwsError(awsError('UnauthorizedOperation', message), {
    what: `Copying ${INTERMEDIATE_AMI} into the ${side} account`,
    side,
    accountId: side === 'target' ? TARGET_ACCOUNT : SOURCE_ACCOUNT,
    region,
    action: 'ec2:CopyImage',
    principal: side === 'target' ? TARGET_ROLE : SOURCE_ROLE,
  });
}

function decoded(principal: string, explicitDeny: boolean, action = 'ec2:CopyImage', resource = IMAGE_ARN): string {
  return JSON.stringify({
    allowed: false,
    explicitDeny,
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: { principal: { id: 'AROAEXAMPLE:promote-ami-4242-1', arn: principal }, action, resource, conditions: { items: [] } },
  });
}

describe('decoding an EC2 authorization failure', () => {
  it('asks STS, with the credentials of the side that failed, in its region, and names the decoded action and resource', async () => {
    const fx = buildContext({ targetRegions: [SECOND_REGION] });
    const sts = fx.target.sts(SECOND_REGION);
    sts.on(DecodeAuthorizationMessageCommand).resolves({ DecodedMessage: decoded(TARGET_SESSION, false) });
    const original = unauthorized('target', SECOND_REGION);
    const error = await withDecodedAuthorization(original, fx.ctx, SOURCE_REGION);

    expect(sts.commandCalls(DecodeAuthorizationMessageCommand).map((c) => c.args[0].input)).toEqual([{ EncodedMessage: ENCODED }]);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`target sts ${SECOND_REGION} DecodeAuthorizationMessage`]);
    expect(error).toBeInstanceOf(PromotionError);
    expect(error.details).toMatchObject({ what: original.details.what, side: 'target', accountId: TARGET_ACCOUNT, region: SECOND_REGION });
    expect(error.details.why).toBe(`no policy allows ${TARGET_SESSION} ec2:CopyImage on ${IMAGE_ARN}. (decoded from AWS's authorization message)`);
    // The policy to change is the role's: an assumed-role session has none of its own.
    expect(error.details.fix).toBe(`Add this statement to the IAM policy of ${TARGET_ROLE}:\n${JSON.stringify({ Effect: 'Allow', Action: 'ec2:CopyImage', Resource: IMAGE_ARN }, null, 2)}`);
    expect(error.message).toContain(`(target account ${TARGET_ACCOUNT}, ${SECOND_REGION}) failed: no policy allows`);
  });

  it('an explicit Deny: says so and points at the policy, boundary or SCP that denies it', async () => {
    const fx = buildContext();
    fx.source.sts(SOURCE_REGION).on(DecodeAuthorizationMessageCommand).resolves({ DecodedMessage: decoded(SOURCE_SESSION, true, 'ec2:ModifySnapshotAttribute', '*') });
    const error = await withDecodedAuthorization(unauthorized('source', SOURCE_REGION), fx.ctx, SOURCE_REGION);
    expect(fx.sent.map((c) => `${c.side} ${c.service} ${c.region} ${c.command}`)).toEqual([`source sts ${SOURCE_REGION} DecodeAuthorizationMessage`]);
    expect(error.details.why).toBe(
      `an explicit Deny stops ${SOURCE_SESSION} from ec2:ModifySnapshotAttribute on * (a policy, permissions boundary or SCP). (decoded from AWS's authorization message)`,
    );
    expect(error.details.fix).toBe(
      `Find the Deny for ec2:ModifySnapshotAttribute that applies to ${SOURCE_ROLE} (its policies, its permissions boundary, or an organization SCP) and narrow it.`,
    );
    expect(error.details).toMatchObject({ side: 'source', accountId: SOURCE_ACCOUNT, region: SOURCE_REGION });
  });

  it('uses the region given when the error names none', async () => {
    const fx = buildContext();
    fx.target.sts(SOURCE_REGION).on(DecodeAuthorizationMessageCommand).resolves({ DecodedMessage: decoded(TARGET_ROLE, false) });
    const error = await withDecodedAuthorization(unauthorized('target', undefined), fx.ctx, SOURCE_REGION);
    expect(fx.target.sts(SOURCE_REGION)).toHaveReceivedCommandTimes(DecodeAuthorizationMessageCommand, 1);
    expect(error.details.fix).toContain(`IAM policy of ${TARGET_ROLE}:`);
  });

  it('decoding denied: the original message, plus how to allow decoding', async () => {
    const fx = buildContext();
    fx.target.sts(SOURCE_REGION).on(DecodeAuthorizationMessageCommand).rejects(awsError('AccessDenied', `User: ${TARGET_SESSION} is not authorized to perform: sts:DecodeAuthorizationMessage`));
    const original = unauthorized('target', SOURCE_REGION);
    const error = await withDecodedAuthorization(original, fx.ctx, SOURCE_REGION);
    expect(error.details.why).toBe(
      `${original.details.why} (The encoded authorization message could not be decoded: User: ${TARGET_SESSION} is not authorized to perform: sts:DecodeAuthorizationMessage; allow sts:DecodeAuthorizationMessage to see which policy denied it.)`,
    );
    expect(error.details.why).toContain(`Encoded authorization failure message: ${ENCODED}`);
    expect(error.details.fix).toBe(original.details.fix);
    expect(error.details).toMatchObject({ side: 'target', accountId: TARGET_ACCOUNT, region: SOURCE_REGION });
  });

  it('a decoded message without an action: the original error', async () => {
    const fx = buildContext();
    fx.target.sts(SOURCE_REGION).on(DecodeAuthorizationMessageCommand).resolves({ DecodedMessage: JSON.stringify({ allowed: false }) });
    const original = unauthorized('target', SOURCE_REGION);
    await expect(withDecodedAuthorization(original, fx.ctx, SOURCE_REGION)).resolves.toBe(original);
  });

  it.each([
    ['without an encoded message', unauthorized('target', SOURCE_REGION, 'You are not authorized to perform this operation.')],
    ['of another kind', new PromotionError({ what: 'Something', side: 'target', region: SOURCE_REGION, why: 'because', fix: 'fix it', cause: new Error(`Encoded authorization failure message ${ENCODED}`) })],
    ['without a side', new PromotionError({ what: 'Something', why: 'because', fix: 'fix it', cause: new Error(`Encoded authorization failure message: ${ENCODED}`) })],
  ])('an error %s is returned unchanged, without calling STS', async (_, original) => {
    const fx = buildContext();
    await expect(withDecodedAuthorization(original, fx.ctx, SOURCE_REGION)).resolves.toBe(original);
    expect(fx.sent).toEqual([]);
  });
});
