import type { PolicyInputs } from '../../../src/policy/generate.js';
import { KEY_ARN, SOURCE_ACCOUNT, SOURCE_REGION, SOURCE_ROLE, TARGET_ACCOUNT, TARGET_ROLE } from '../../support/accounts.js';

export const SOURCE_SNAPSHOT = 'snap-0123456789abcdef0';

export const TARGET_KEY_ARN = 'arn:aws:kms:eu-west-1:222222222222:key/abcd1234-ab12-cd34-ef56-abcdef123456';

/** The README's example: Quick start's roles and key, one region, alias/golden-ami resolved to TARGET_KEY_ARN. */
export const EXAMPLE_INPUTS: PolicyInputs = {
  partition: 'aws',
  sourceAccountId: SOURCE_ACCOUNT,
  targetAccountId: TARGET_ACCOUNT,
  sourceRegion: SOURCE_REGION,
  targetRegions: [SOURCE_REGION],
  kmsKeyArn: KEY_ARN,
  sourceRoleArn: SOURCE_ROLE,
  targetRoleArn: TARGET_ROLE,
  targetKeyArns: { [SOURCE_REGION]: TARGET_KEY_ARN },
  extraSourceKeyArns: [],
  reencrypt: true,
  keyAccess: 'verify',
  autoscalingAccess: 'check',
  repository: 'OWNER/REPO',
  audience: 'sts.amazonaws.com',
};
