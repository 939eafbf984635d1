import { describe, expect, it } from '@jest/globals';
import { generatePolicies } from '../../../src/policy/generate.js';
import type { PolicyStatement } from '../../../src/policy/policy-document.js';
import { EXAMPLE_INPUTS } from './example-inputs.js';

const actionsIn = (statements: PolicyStatement[]) => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : s.Action ? [s.Action] : []));
const bySid = (statements: PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid);

describe('the generated policies for copy-method snapshots', () => {
  for (const reencrypt of [true, false, undefined]) {
    const policies = generatePolicies({ ...EXAMPLE_INPUTS, reencrypt, copyMethod: 'snapshots' });
    const target = policies.targetRoleIamPolicy.Statement;
    const source = policies.sourceRoleIamPolicy.Statement;

    it(`give the target role CopySnapshot and RegisterImage, never CopyImage (reencrypt ${String(reencrypt)})`, () => {
      expect(actionsIn(target)).toEqual(expect.arrayContaining(['ec2:CopySnapshot', 'ec2:RegisterImage']));
      expect(actionsIn(target)).not.toContain('ec2:CopyImage');
      expect(actionsIn(target)).not.toContain('ec2:GetAllowedImagesSettings');
    });

    it(`give the source role no launch permission on any AMI, only its UEFI data (reencrypt ${String(reencrypt)})`, () => {
      expect(actionsIn(source)).not.toContain('ec2:ModifyImageAttribute');
      expect(actionsIn(source)).toContain('ec2:DescribeImageAttribute');
      expect(actionsIn(source)).toContain('ec2:ModifySnapshotAttribute');
    });
  }

  const target = generatePolicies({ ...EXAMPLE_INPUTS, copyMethod: 'snapshots' }).targetRoleIamPolicy.Statement;

  it('let the target role make only snapshot copies and AMIs tagged as promoted, and tag them only as they are made', () => {
    expect(bySid(target, 'MakeOnlySnapshotCopiesTaggedAsPromoted')).toEqual({
      Sid: 'MakeOnlySnapshotCopiesTaggedAsPromoted',
      Effect: 'Allow',
      Action: 'ec2:CopySnapshot',
      Resource: 'arn:aws:ec2:eu-west-1::snapshot/*',
      Condition: { StringEquals: { 'aws:RequestTag/promote-ami:role': 'promoted' } },
    });
    expect(bySid(target, 'TagTheSnapshotCopiesOnlyAsCopySnapshotMakesThem')?.Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'CopySnapshot', 'aws:RequestTag/promote-ami:role': 'promoted' },
    });
    expect(bySid(target, 'RegisterOnlyAmisTaggedAsPromoted')).toMatchObject({ Action: 'ec2:RegisterImage', Resource: 'arn:aws:ec2:eu-west-1::image/*' });
    expect(bySid(target, 'RegisterOnlyFromSnapshotCopiesTaggedAsPromoted')).toMatchObject({
      Action: 'ec2:RegisterImage',
      Resource: 'arn:aws:ec2:eu-west-1::snapshot/*',
      Condition: { StringEquals: { 'ec2:ResourceTag/promote-ami:role': 'promoted' } },
    });
    expect(bySid(target, 'TagTheAmisOnlyAsRegisterImageMakesThem')?.Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'RegisterImage', 'aws:RequestTag/promote-ami:role': 'promoted' },
    });
  });

  it('leave the image path as it was', () => {
    expect(generatePolicies({ ...EXAMPLE_INPUTS, copyMethod: 'image' })).toEqual(generatePolicies(EXAMPLE_INPUTS));
    expect(actionsIn(generatePolicies(EXAMPLE_INPUTS).targetRoleIamPolicy.Statement)).not.toContain('ec2:CopySnapshot');
  });
});
