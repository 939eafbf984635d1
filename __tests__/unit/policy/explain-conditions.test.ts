import { describe, expect, it } from '@jest/globals';
import type { StatementCondition } from '../../../src/policy/evaluate.js';
import { conditionFixes, conditionText, denialNotes, exclusionNotes, requestText, unknownNotes } from '../../../src/policy/explain-conditions.js';

const condition = (fields: Partial<StatementCondition>): StatementCondition => ({
  statement: 'AllowEbs',
  id: 'stringequals kms:calleraccount ["111111111111"]',
  operator: 'StringEquals',
  key: 'kms:CallerAccount',
  values: ['111111111111'],
  request: ['222222222222'],
  result: 'no-match',
  ...fields,
});

const EC2 = "EC2's calls";

describe('explain-conditions', () => {
  it('writes a condition as it appears in the policy', () => {
    expect(conditionText(condition({}))).toBe('{"StringEquals":{"kms:CallerAccount":"111111111111"}}');
    expect(conditionText(condition({ values: ['a', 'b'] }))).toBe('{"StringEquals":{"kms:CallerAccount":["a","b"]}}');
  });

  it('says what the request carries: a value, nothing, or why it is not known', () => {
    expect(requestText(condition({}), EC2)).toBe("EC2's calls carry kms:CallerAccount = 222222222222");
    expect(requestText(condition({ key: 'kms:ViaService', request: 'absent' }), 'direct calls')).toBe('direct calls carry no kms:ViaService');
    expect(requestText(condition({ request: 'unknown', reason: 'aws:PrincipalOrgID: cannot be read' }), EC2)).toBe('aws:PrincipalOrgID: cannot be read');
  });

  it('notes each excluding condition once, and how to change it with the real value', () => {
    const notes = exclusionNotes([condition({}), condition({}), condition({ result: 'match' })], EC2);
    expect(notes).toEqual(['statement "AllowEbs" requires {"StringEquals":{"kms:CallerAccount":"111111111111"}}, but EC2\'s calls carry kms:CallerAccount = 222222222222']);
    expect(conditionFixes([condition({}), condition({ request: 'absent' })])).toEqual([
      'in statement "AllowEbs", change {"StringEquals":{"kms:CallerAccount":"111111111111"}} so that it also allows kms:CallerAccount = 222222222222',
    ]);
  });

  it('notes why a Deny applies and what could not be evaluated', () => {
    const deny = condition({ statement: 'DenyOthers', operator: 'StringNotEquals', result: 'match' });
    expect(denialNotes([deny], EC2)).toEqual([
      'statement "DenyOthers" denies when {"StringNotEquals":{"kms:CallerAccount":"111111111111"}}, and EC2\'s calls carry kms:CallerAccount = 222222222222',
    ]);
    const org = condition({ key: 'aws:PrincipalOrgID', values: ['o-a1b2c3d4e5'], request: 'unknown', result: 'unknown', reason: 'aws:PrincipalOrgID: cannot be read' });
    expect(unknownNotes([org, deny])).toEqual(['statement "AllowEbs" requires {"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}} (aws:PrincipalOrgID: cannot be read)']);
  });
});
