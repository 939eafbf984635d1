/** The CLI commands that undo each change by hand. */
export const manual = {
  deregister: (region: string, imageId: string) => `aws ec2 deregister-image --region ${region} --image-id ${imageId} --delete-associated-snapshots`,
  deleteSnapshot: (region: string, snapshotId: string) => `aws ec2 delete-snapshot --region ${region} --snapshot-id ${snapshotId}`,
  launchPermission: (region: string, imageId: string, accountId: string) =>
    `aws ec2 modify-image-attribute --region ${region} --image-id ${imageId} --launch-permission "Remove=[{UserId=${accountId}}]"`,
  volumePermission: (region: string, snapshotId: string, accountId: string) =>
    `aws ec2 modify-snapshot-attribute --region ${region} --snapshot-id ${snapshotId} --attribute createVolumePermission --operation-type remove --user-ids ${accountId}`,
  retireGrant: (region: string, keyArn: string, grantId: string) => `aws kms retire-grant --region ${region} --key-id ${keyArn} --grant-id ${grantId}`,
  revokeGrant: (region: string, keyArn: string, grantId: string) => `aws kms revoke-grant --region ${region} --key-id ${keyArn} --grant-id ${grantId}`,
  deleteTag: (region: string, resourceId: string, key: string) => `aws ec2 delete-tags --region ${region} --resources ${resourceId} --tags Key=${key}`,
  disableProtection: (region: string, imageId: string) => `aws ec2 disable-image-deregistration-protection --region ${region} --image-id ${imageId}`,
};
