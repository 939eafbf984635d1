import { describe, expect, it } from '@jest/globals';
import { classify, isAccessDenied, isNotFound, type ErrorKind } from '../../../src/aws/classify.js';
import { PromotionError } from '../../../src/aws/errors.js';
import { awsError } from '../../support/pipeline-fixtures.js';

describe('classify', () => {
  it.each<[ErrorKind, string[]]>([
    ['denied', ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure', 'Forbidden']],
    ['expired', ['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']],
    ['throttled', ['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']],
    ['invalid-credentials', ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken']],
    ['not-found', ['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable', 'InvalidSnapshot.NotFound', 'NotFoundException']],
    ['key-unusable', ['KMSInvalidStateException']],
    ['in-use', ['InvalidSnapshot.InUse']],
    ['no-credentials', ['CredentialsProviderError']],
  ])('%s: %j', (kind, codes) => {
    // A message that would match another kind's pattern: the code decides.
    for (const code of codes) expect(classify(awsError(code, 'not authorized: missing credentials'))).toBe(kind);
  });

  it('by message, for errors without a known code: denial before missing credentials', () => {
    expect(classify(awsError('UnknownError', 'User is not authorized to perform kms:RetireGrant'))).toBe('denied');
    expect(classify(awsError('UnknownError', 'Access Denied'))).toBe('denied');
    expect(classify(new Error('Could not load credentials from any providers'))).toBe('no-credentials');
    expect(classify(awsError('InvalidAMIID.Malformed', 'Invalid id: "ami-x"'))).toBe('other');
    expect(classify('socket hang up')).toBe('other');
  });

  it('leaves an error already explained alone, whatever its message says', () => {
    const explained = new PromotionError({ what: 'Assuming a role', why: 'AccessDenied: not authorized', fix: 'Check the credentials.' });
    expect(classify(explained)).toBe('other');
    expect(isAccessDenied(explained)).toBe(false);
  });

  it('isAccessDenied and isNotFound use the same codes', () => {
    expect(isAccessDenied(awsError('UnauthorizedOperation'))).toBe(true);
    expect(isAccessDenied(awsError('Throttling'))).toBe(false);
    expect(isNotFound(awsError('InvalidAMIID.Unavailable'), 'image')).toBe(true);
    expect(isNotFound(awsError('InvalidSnapshot.NotFound'), 'image')).toBe(false);
    expect(isNotFound(awsError('InvalidSnapshot.NotFound'), 'snapshot')).toBe(true);
    expect(isNotFound(awsError('NotFoundException'), 'kms')).toBe(true);
    expect(isNotFound(awsError('NotFoundException'), 'snapshot')).toBe(false);
    expect(isNotFound(awsError('InvalidLaunchTemplateName.NotFoundException'), 'launchTemplate')).toBe(true);
    expect(isNotFound(awsError('InvalidLaunchTemplateId.NotFound'), 'launchTemplate')).toBe(true);
    expect(isNotFound(awsError('InvalidLaunchTemplateId.NotFound'), 'image')).toBe(false);
  });
});
