/** How the target role gets use of the source key: checked only, a grant for the run, or key-policy statements. */
export type KeyAccessMode = 'verify' | 'grant' | 'key-policy';

/** What the action does about Auto Scaling's use of customer-managed target keys. */
export type AutoscalingAccessMode = 'check' | 'grant' | 'off';

/**
 * retire-previous: what happens to earlier promotions of the same lineage in each target account and region.
 * deprecate and disable are reversible (DisableImageDeprecation / EnableImage); deregister also deletes the snapshots.
 */
export type RetireMode = 'none' | 'deprecate' | 'disable' | 'deregister';

/**
 * copy-method: how each target account gets its copy. `image`: CopyImage of the shared AMI. `snapshots`: only the
 * snapshots are shared; the target copies each one (CopySnapshot) and registers the AMI from the copies (RegisterImage).
 */
export type CopyMethod = 'image' | 'snapshots';
