import { PromotionError, errorMessage, errorName } from './errors.js';

/** What an AWS error means for the fix; the one classification every layer uses. */
export type ErrorKind =
  | 'denied'
  | 'expired'
  | 'throttled'
  | 'invalid-credentials'
  | 'no-credentials'
  | 'not-found'
  | 'key-unusable'
  | 'in-use'
  | 'other';

/**
 * "Does not exist" answers, by kind of resource. EC2: InvalidAMIID.NotFound, InvalidAMIID.Unavailable (deregistered),
 * InvalidSnapshot.NotFound, InvalidLaunchTemplateName.NotFoundException, InvalidLaunchTemplateId.NotFound
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); KMS keys and grants: NotFoundException
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html).
 */
const NOT_FOUND = {
  image: new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']),
  snapshot: new Set(['InvalidSnapshot.NotFound']),
  kms: new Set(['NotFoundException']),
  launchTemplate: new Set(['InvalidLaunchTemplateName.NotFoundException', 'InvalidLaunchTemplateId.NotFound']),
} as const;

export type ResourceKind = keyof typeof NOT_FOUND;

/**
 * Error codes by kind. Common errors of EC2 (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html),
 * STS (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html) and KMS
 * (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html); KMSInvalidStateException: the key state does
 * not allow the operation (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
 */
const CODES: ReadonlyArray<readonly [ErrorKind, ReadonlySet<string>]> = [
  ['denied', new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure', 'Forbidden'])],
  ['expired', new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'])],
  ['throttled', new Set(['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException'])],
  ['invalid-credentials', new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken'])],
  ['not-found', new Set(Object.values(NOT_FOUND).flatMap((codes) => [...codes]))],
  ['key-unusable', new Set(['KMSInvalidStateException'])],
  ['in-use', new Set(['InvalidSnapshot.InUse'])],
];

/**
 * The kind of an AWS error: by its code, else by the SDK's CredentialsProviderError, else by its message (errors
 * without a known code). A PromotionError is already explained: 'other'.
 */
export function classify(error: unknown): ErrorKind {
  if (error instanceof PromotionError) return 'other';
  const name = errorName(error);
  const byCode = CODES.find(([, codes]) => codes.has(name));
  if (byCode) return byCode[0];
  if (name === 'CredentialsProviderError') return 'no-credentials';
  const message = errorMessage(error);
  if (/not authorized|access ?denied/i.test(message)) return 'denied';
  if (/credential/i.test(message)) return 'no-credentials';
  return 'other';
}

export function isAccessDenied(error: unknown): boolean {
  return classify(error) === 'denied';
}

/** Whether the error says that a resource of this kind does not exist. */
export function isNotFound(error: unknown, resource: ResourceKind): boolean {
  return NOT_FOUND[resource].has(errorName(error));
}
