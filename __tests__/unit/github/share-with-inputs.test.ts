import { describe, expect, it } from '@jest/globals';
import { InputError, parseShareWith, readInputs } from '../../../src/github/inputs.js';
import { VALID_INPUTS, setInputs } from '../../../standin/index.js';

const ORG = 'arn:aws:organizations::999999999999:organization/o-a1b2c3d4e5';
const OU = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-33333333';

function refusal(raw: string): string {
  try {
    parseShareWith('share-with', raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`parseShareWith accepted ${JSON.stringify(raw)}`);
}

describe('share-with', () => {
  it('is empty by default: nothing is shared onward', () => {
    setInputs(VALID_INPUTS);
    expect(readInputs({}).request.shareWith).toEqual([]);
  });

  it('reads account IDs, organization ARNs and OU ARNs, one per line, blank lines and spaces ignored', () => {
    setInputs({ ...VALID_INPUTS, 'share-with': `444455556666\n\n  ${ORG}  \n${OU}\n` });
    expect(readInputs({}).request.shareWith).toEqual([
      { kind: 'account', accountId: '444455556666' },
      { kind: 'organization', arn: ORG, partition: 'aws', organizationId: 'o-a1b2c3d4e5' },
      { kind: 'organizational-unit', arn: OU, partition: 'aws', organizationId: 'o-a1b2c3d4e5', ouId: 'ou-a1b2-33333333' },
    ]);
  });

  it('accepts the ARNs of other partitions', () => {
    expect(parseShareWith('share-with', 'arn:aws-us-gov:organizations::123456789012:organization/o-abcdefghij')).toEqual([
      { kind: 'organization', arn: 'arn:aws-us-gov:organizations::123456789012:organization/o-abcdefghij', partition: 'aws-us-gov', organizationId: 'o-abcdefghij' },
    ]);
  });

  it.each(['all', 'ALL', ' All '])('refuses %j by name: the AMI is never made public', (value) => {
    expect(refusal(`444455556666\n${value}`)).toMatch(new RegExp(`^Input share-with: line 2 \\("${value.trim()}"\\): `));
    expect(refusal(value)).toContain('would make the promoted AMI public, which this action never does');
  });

  it('refuses a recipient given twice, naming both lines', () => {
    expect(refusal(`${OU}\n444455556666\n${OU}`)).toBe(`Input share-with: line 3 ("${OU}") repeats line 1.`);
  });

  it.each([
    ['44445555666', 'an account ID has 12 digits, this one 11'],
    ['444455556666, 777788889999', 'give one recipient per line'],
    ['o-a1b2c3d4e5', `by its ARN, not its ID: arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:organization/o-a1b2c3d4e5`],
    ['ou-a1b2-33333333', 'by its ARN, not its ID'],
    ['arn:aws:organizations::999999999999:organization/o-short', 'it is not an account ID (12 digits), an organization ARN'],
    ['arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2', 'it is not an account ID'],
    ['arn:aws:organizations::999999999999:account/o-a1b2c3d4e5/444455556666', 'it is not an account ID'],
    ['arn:aws:iam::444455556666:root', 'it is not an account ID'],
  ])('refuses %j with the reason', (value, reason) => {
    const message = refusal(`\n${value}`);
    expect(message).toContain(`line 2 ("${value}") is not a recipient: `);
    expect(message).toContain(reason);
  });
});
