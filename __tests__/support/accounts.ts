/** The accounts, regions, roles and key every unit test uses (the stand-in's DEFAULTS are its own). */
export const SOURCE_ACCOUNT = '111111111111';
export const TARGET_ACCOUNT = '222222222222';
export const OTHER_ACCOUNT = '333333333333';
export const SOURCE_REGION = 'eu-west-1';
export const SECOND_REGION = 'eu-central-1';
export const SOURCE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/ami-promotion-source`;
export const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/ami-promotion-target`;
export const SOURCE_ROOT = `arn:aws:iam::${SOURCE_ACCOUNT}:root`;
export const TARGET_ROOT = `arn:aws:iam::${TARGET_ACCOUNT}:root`;

/** The customer-managed key of the source account (the kms-key-arn input). */
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/${KEY_ID}`;
/** Another customer-managed key of the source account. */
export const OTHER_KEY_ARN = `arn:aws:kms:${SOURCE_REGION}:${SOURCE_ACCOUNT}:key/bbbbbbbb-1111-2222-3333-444444444444`;

export const SOURCE_AMI = 'ami-0123456789abcdef0';
