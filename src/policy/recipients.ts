/**
 * The recipients of onward sharing (share-with): AWS accounts, organizations and organizational units that may
 * launch the promoted AMI. ModifyImageAttribute takes accounts by ID and organizations and OUs by ARN.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html
 */
export type Recipient =
  | { kind: 'account'; accountId: string }
  | { kind: 'organization'; arn: string; partition: string; organizationId: string }
  | { kind: 'organizational-unit'; arn: string; partition: string; organizationId: string; ouId: string };

const ACCOUNT_ID = /^\d{12}$/;

/**
 * AWS's patterns for organization and OU ARNs: the management account, the organization ID (o- and 10 to 32 letters
 * or digits) and the OU ID (ou-, 4 to 32 letters or digits naming the root, -, 8 to 32 more).
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html
 */
const ORGANIZATION_ARN = /^arn:(aws[a-z-]*):organizations::\d{12}:organization\/(o-[a-z0-9]{10,32})$/;
const OU_ARN = /^arn:(aws[a-z-]*):organizations::\d{12}:ou\/(o-[a-z0-9]{10,32})\/(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/;

const FORMATS =
  'an account ID (12 digits), an organization ARN (arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:organization/o-EXAMPLE) ' +
  'or an OU ARN (arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:ou/o-EXAMPLE/ou-ROOT-EXAMPLE)';

/** Why a value is not a recipient, with what was probably meant. */
function notARecipient(value: string): string {
  if (/^\d+$/.test(value)) return `an account ID has 12 digits, this one ${value.length}`;
  if (/[,;\s]/.test(value)) return 'give one recipient per line';
  if (/^o-/.test(value)) return 'launch permissions name an organization by its ARN, not its ID: arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:organization/' + value;
  if (/^ou-/.test(value)) return 'launch permissions name an OU by its ARN, not its ID: arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:ou/o-EXAMPLE/' + value;
  return `it is not ${FORMATS}`;
}

/** Parses one recipient; returns the reason when the value is not one. */
export function parseRecipient(value: string): Recipient | string {
  if (ACCOUNT_ID.test(value)) return { kind: 'account', accountId: value };
  const organization = ORGANIZATION_ARN.exec(value);
  if (organization) return { kind: 'organization', arn: value, partition: organization[1] as string, organizationId: organization[2] as string };
  const ou = OU_ARN.exec(value);
  if (ou) return { kind: 'organizational-unit', arn: value, partition: ou[1] as string, organizationId: ou[2] as string, ouId: ou[3] as string };
  return notARecipient(value);
}

/** The account ID or ARN, as the input and EC2's launch permissions name the recipient. */
export function recipientId(recipient: Recipient): string {
  return recipient.kind === 'account' ? recipient.accountId : recipient.arn;
}

/** "account 123456789012", "organization o-…", "OU ou-… of o-…", for messages. */
export function recipientLabel(recipient: Recipient): string {
  switch (recipient.kind) {
    case 'account':
      return `account ${recipient.accountId}`;
    case 'organization':
      return `organization ${recipient.organizationId}`;
    default:
      return `OU ${recipient.ouId} of ${recipient.organizationId}`;
  }
}

/** The recipients of one target account's AMIs: its own account owns them and needs no launch permission. */
export function recipientsOf(shareWith: readonly Recipient[], ownerAccountId: string): Recipient[] {
  return shareWith.filter((recipient) => recipient.kind !== 'account' || recipient.accountId !== ownerAccountId);
}
