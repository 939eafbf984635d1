/**
 * How many account IDs one attribute call takes. ModifyImageAttribute: "Up to 10 000 account IDs can be specified in a
 * single request" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html).
 * ModifySnapshotAttribute: "up to 500 modifications to a snapshot in a single operation"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html).
 */
export const PERMISSIONS_PER_CALL = { image: 10_000, snapshot: 500 } as const;

/** The list in pieces of at most `size`, in order. */
export function batches<T>(list: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
}
