import { describe, expect, it } from '@jest/globals';
import type { Assumptions } from '../../../src/policy/evaluate.js';
import { checkDirectDescribeKey, checkTargetCopyAccess } from '../../../src/policy/key-access-check.js';
import type { PolicyDocument, PolicyStatement } from '../../../src/policy/policy-document.js';
import { copyVerdict, inferFromProbe } from '../../../src/policy/probe-inference.js';
import { KEY_ARN, SEED_000_POLICY, TARGET_ROLE, policy } from './fixtures.js';

const target = { keyArn: KEY_ARN, roleArn: TARGET_ROLE, region: 'eu-west-1' };
const ORG = { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } };
const VIA = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };

const anyone = (fields: Partial<PolicyStatement>): PolicyStatement => ({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', ...fields });

function assess(document: PolicyDocument) {
  return (assumptions: Assumptions) => ({
    copy: checkTargetCopyAccess(document, { ...target, assumptions }),
    probe: checkDirectDescribeKey(document, { ...target, assumptions }),
  });
}

describe('inferFromProbe', () => {
  it('settles an organization condition both ways when the probe depends on it as the copy does', () => {
    const document = policy(anyone({ Condition: ORG }));
    expect(copyVerdict(checkTargetCopyAccess(document, target))).toBe('unknown');
    expect(inferFromProbe(assess(document), true)).toEqual({ verdict: 'ok', keyPolicyMayDeny: false });
    expect(inferFromProbe(assess(document), false)).toEqual({ verdict: 'not-ok', keyPolicyMayDeny: true });
  });

  it('puts a denied probe on the IAM policy alone when the key policy certainly allows it', () => {
    expect(inferFromProbe(assess(SEED_000_POLICY), false)).toEqual({ verdict: 'not-ok', keyPolicyMayDeny: false });
    expect(inferFromProbe(assess(SEED_000_POLICY), true)).toEqual({ verdict: 'ok', keyPolicyMayDeny: false });
  });

  it('proves nothing about a condition the probe does not depend on', () => {
    // DescribeKey is allowed directly to everyone; the rest only to the organization, through EC2.
    const document = policy(anyone({ Action: 'kms:DescribeKey' }), anyone({ Action: ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant'], Condition: { ...ORG, StringLike: { 'kms:ViaService': 'ec2.*' } } }));
    expect(inferFromProbe(assess(document), true).verdict).toBe('unknown');
  });

  it('leaves the copy unknown when the probe is denied in any case (allowed only through EC2) and the organization decides', () => {
    const document = policy(anyone({ Condition: { StringEquals: { ...ORG.StringEquals, ...VIA } } }));
    expect(checkDirectDescribeKey(document, target).decision).toBe('implicit-deny');
    expect(inferFromProbe(assess(document), false)).toEqual({ verdict: 'unknown', keyPolicyMayDeny: true });
  });

  it('treats each organization condition as its own unknown: a probe allowed by one says nothing of another', () => {
    const document = policy(
      anyone({ Action: 'kms:DescribeKey', Condition: ORG }),
      anyone({ Action: ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant'], Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-otherorg1' } } }),
    );
    expect(inferFromProbe(assess(document), true).verdict).toBe('unknown');
  });

  it('does not try more than a few unknown conditions at once', () => {
    const orgs = Array.from({ length: 7 }, (_, n) => anyone({ Condition: { StringEquals: { 'aws:PrincipalOrgID': `o-org${n}` } } }));
    expect(inferFromProbe(assess(policy(...orgs)), true).verdict).toBe('unknown');
  });
});
