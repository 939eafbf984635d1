/**
 * What the proof of least privilege finds, per combination of inputs (__tests__/e2e/least-privilege.test.ts): the pieces
 * that only serve an optional check, with the finding (or log line) their absence shows; the key actions EBS documents
 * that the stand-in's default model of a copy does not check, needed when EC2 checks every documented action on both
 * keys; and the guards, negated conditions that refuse what no correct run asks for (proven by the unit test of the
 * generated policies, __tests__/unit/policy/generated-policies-simulated.test.ts).
 */
export interface Expected {
  optional: string[];
  strictKeys: string[];
  guards: string[];
}

export const EXPECTED: Record<string, Expected> = {
  "key-access: verify, a target key in two regions, autoscaling-access: check": {
    optional: [
      "kms:GetKeyPolicy in source role statement UseAndManageTheSharedKey: [unchecked] The source key policy lets the target role copy",
      "ec2:GetAllowedImagesSettings in target role statement DescribeCallsAndSettingsHaveNoResourceLevelPermissions: [unchecked] Allowed AMIs",
      "target role statement CheckAutoScalingAccessToTheTargetKeys: [unchecked] Auto Scaling can use the target key in eu-west-1",
      "target role statement CheckOwnPermissionsInDryRun: [unchecked] The target role's IAM policy (simulated)",
      "target keys statement AllowServiceLinkedRoleUseOfTheCustomerManagedKey: [warning] Auto Scaling can use the target key in eu-west-1",
      "kms:Encrypt in target keys statement AllowServiceLinkedRoleUseOfTheCustomerManagedKey: [warning] Auto Scaling can use the target key in eu-west-1",
      "kms:Decrypt in target keys statement AllowServiceLinkedRoleUseOfTheCustomerManagedKey: [warning] Auto Scaling can use the target key in eu-west-1",
      "kms:ReEncrypt* in target keys statement AllowServiceLinkedRoleUseOfTheCustomerManagedKey: [warning] Auto Scaling can use the target key in eu-west-1",
      "kms:GenerateDataKey* in target keys statement AllowServiceLinkedRoleUseOfTheCustomerManagedKey: [warning] Auto Scaling can use the target key in eu-west-1",
      "kms:DescribeKey in target keys statement AllowServiceLinkedRoleUseOfTheCustomerManagedKey: [warning] Auto Scaling can use the target key in eu-west-1",
      "target keys statement AllowServiceLinkedRoleAttachmentOfPersistentResources: [warning] Auto Scaling can use the target key in eu-west-1",
      "the condition on kms:GrantIsForAWSResource in target keys statement AllowServiceLinkedRoleAttachmentOfPersistentResources: [warning] Auto Scaling can use the target key in eu-west-1",
    ],
    strictKeys: [
      "kms:Decrypt in source role statement UseAndManageTheSharedKey",
      "kms:GenerateDataKeyWithoutPlaintext in source key statement AllowUseOfTheKeyForAmiPromotion222222222222",
      "kms:GenerateDataKeyWithoutPlaintext in target role statement UseTheSharedSourceKey",
      "kms:Decrypt in target role statement UseTheTargetKeys",
    ],
    guards: [
      "the condition on ec2:Add/group in source role statement ShareAndDeleteOnlyIntermediateSnapshotsNeverPublicly",
    ],
  },
  "key-access: grant": {
    optional: [
      "ec2:GetAllowedImagesSettings in target role statement DescribeCallsAndSettingsHaveNoResourceLevelPermissions: [unchecked] Allowed AMIs",
      "target role statement CheckAutoScalingAccessToTheTargetKeys: [unchecked] Auto Scaling can use the target key in eu-west-1",
    ],
    strictKeys: [
      "kms:Decrypt in target role statement UseTheTargetKeys",
    ],
    guards: [],
  },
  "key-access: key-policy": {
    optional: [
      "ec2:GetAllowedImagesSettings in target role statement DescribeCallsAndSettingsHaveNoResourceLevelPermissions: [unchecked] Allowed AMIs",
      "target role statement CheckAutoScalingAccessToTheTargetKeys: [unchecked] Auto Scaling can use the target key in eu-west-1",
    ],
    strictKeys: [
      "kms:Decrypt in source role statement UseAndManageTheSharedKey",
      "kms:Decrypt in target role statement UseTheTargetKeys",
    ],
    guards: [],
  },
  "copy-method: snapshots, a target key in two regions": {
    optional: [],
    strictKeys: [],
    guards: [],
  },
  "the default EBS key, a source shared as it is, autoscaling-access: off": {
    optional: [
      "ec2:GetAllowedImagesSettings in target role statement DescribeCallsAndSettingsHaveNoResourceLevelPermissions: [unchecked] Allowed AMIs",
      "ec2:GetEbsDefaultKmsKeyId in target role statement DescribeCallsAndSettingsHaveNoResourceLevelPermissions: logs \"under the target account's default EBS key\"",
    ],
    strictKeys: [],
    guards: [
      "the condition on ec2:Add/group in source role statement ShareSourceSnapshotsOfTheSourceAccountNeverPublicly",
    ],
  },
  "every finishing feature: protection, deprecation, SSM, share-with, launch templates, retirement, autoscaling-access: grant": {
    optional: [
      "ec2:GetAllowedImagesSettings in target role statement DescribeCallsAndSettingsHaveNoResourceLevelPermissions: [unchecked] Allowed AMIs",
      "kms:GetKeyPolicy in target role statement CheckAutoScalingAccessToTheTargetKeys: [unchecked] The share-with recipients can use the target key in eu-west-1",
    ],
    strictKeys: [],
    guards: [],
  },
};
