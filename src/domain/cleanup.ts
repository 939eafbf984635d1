import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type EC2Client,
  type Image,
  type LaunchPermission,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { RetireGrantCommand, RevokeGrantCommand } from '@aws-sdk/client-kms';
import type { AccountClients } from '../aws/clients.js';
import { isAccessDenied, isExpired } from './aws-errors.js';
import type { Logger } from './context.js';
import { PromotionError, errorMessage, errorName, where, type ProblemDetails } from './errors.js';
import type { Journal, JournalEntry } from './journal.js';
import { ROLE_INTERMEDIATE, ROLE_PROMOTED, TAG, tagValue } from './tags.js';
import type { Side } from './types.js';

/** What cleanup knows about one side, for messages only (account and role named in each fix). */
export interface CleanupSide {
  accountId?: string;
  roleArn?: string;
}

export interface CleanupContext {
  source: AccountClients;
  target: AccountClients;
  journal: Journal;
  log: Logger;
  /** Optional: names the accounts and roles in the report and the fixes. */
  sides?: Partial<Record<Side, CleanupSide>>;
}

/** One resource cleanup dealt with. */
export interface CleanupItem {
  /** e.g. "launch permission of account 222222222222 on ami-0123" */
  what: string;
  side: Side;
  accountId?: string;
  region: string;
}

export interface RemovedItem extends CleanupItem {
  /** True when it was already gone (counts as done). */
  alreadyGone?: boolean;
}

export interface KeptItem extends CleanupItem {
  /** Why it was left in place on purpose. */
  reason: string;
}

export interface FailedItem extends CleanupItem {
  /** The full message: what failed, where, why and the fix. */
  message: string;
  why: string;
  fix: string;
}

export interface CleanupReport {
  /** Set when there was nothing to undo, saying why; nothing was called then. */
  nothingToDo?: string;
  removed: RemovedItem[];
  kept: KeptItem[];
  failed: FailedItem[];
}

/** Why there is nothing to undo, or undefined when the journal holds changes to undo. */
export function nothingToUndo(entries: readonly JournalEntry[]): string | undefined {
  const last = entries.at(-1);
  if (!last) return 'the main step made no change in AWS.';
  if (last.kind === 'cleaned') return 'the main step already removed its temporary sharing, grants and copies.';
  if (last.kind === 'kept') return 'the promotion succeeded with cleanup turned off, so the sharing and grants stay on purpose.';
  return undefined;
}

/** The entries a previous cleanup has not covered: those after the last `cleaned` or `kept` mark. */
function pending(entries: readonly JournalEntry[]): JournalEntry[] {
  let start = 0;
  entries.forEach((entry, index) => {
    if (entry.kind === 'cleaned' || entry.kind === 'kept') start = index + 1;
  });
  return entries.slice(start);
}

/** A one-line description of a journal entry with the command that undoes it by hand. */
export function describeEntry(entry: JournalEntry): string {
  switch (entry.kind) {
    case 'intermediate-copy':
      return [
        `intermediate copy ${entry.imageId} (source account, ${entry.region}): ${manual.deregister(entry.region, entry.imageId)}`,
        ...entry.snapshotIds.map((id) => manual.deleteSnapshot(entry.region, id)),
      ].join('; then ');
    case 'launch-permission':
      return `launch permission of account ${entry.accountId} on ${entry.imageId} (source account, ${entry.region}): ${manual.launchPermission(entry.region, entry.imageId, entry.accountId)}`;
    case 'volume-permission':
      return `createVolumePermission of account ${entry.accountId} on ${entry.snapshotId} (source account, ${entry.region}): ${manual.volumePermission(entry.region, entry.snapshotId, entry.accountId)}`;
    case 'grant':
      return `KMS grant ${entry.grantName} (${entry.grantId}) on ${entry.keyArn}: ${manual.revokeGrant(entry.region, entry.keyArn, entry.grantId)}`;
    case 'key-policy-statement':
      return `key-policy statement ${entry.sid} on ${entry.keyArn} (kept on purpose)`;
    case 'target-copy':
      return `copy ${entry.imageId} (target account, ${entry.region}): ${manual.deregisterWithSnapshots(entry.region, entry.imageId)}`;
    case 'target-copy-done':
      return `promoted AMI ${entry.imageId} (target account, ${entry.region})`;
    case 'cleaned':
      return 'cleanup finished';
    case 'kept':
      return 'sharing kept on purpose (cleanup turned off)';
  }
}

const manual = {
  deregister: (region: string, imageId: string) => `aws ec2 deregister-image --region ${region} --image-id ${imageId}`,
  deregisterWithSnapshots: (region: string, imageId: string) =>
    `aws ec2 deregister-image --region ${region} --image-id ${imageId} --delete-associated-snapshots`,
  deleteSnapshot: (region: string, snapshotId: string) => `aws ec2 delete-snapshot --region ${region} --snapshot-id ${snapshotId}`,
  launchPermission: (region: string, imageId: string, accountId: string) =>
    `aws ec2 modify-image-attribute --region ${region} --image-id ${imageId} --launch-permission "Remove=[{UserId=${accountId}}]"`,
  volumePermission: (region: string, snapshotId: string, accountId: string) =>
    `aws ec2 modify-snapshot-attribute --region ${region} --snapshot-id ${snapshotId} --attribute createVolumePermission --operation-type remove --user-ids ${accountId}`,
  retireGrant: (region: string, keyArn: string, grantId: string) => `aws kms retire-grant --region ${region} --key-id ${keyArn} --grant-id ${grantId}`,
  revokeGrant: (region: string, keyArn: string, grantId: string) => `aws kms revoke-grant --region ${region} --key-id ${keyArn} --grant-id ${grantId}`,
  disableProtection: (region: string, imageId: string) => `aws ec2 disable-image-deregistration-protection --region ${region} --image-id ${imageId}`,
};

const IMAGE_GONE = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']);
const SNAPSHOT_GONE = new Set(['InvalidSnapshot.NotFound']);
const GRANT_GONE = new Set(['NotFoundException']);

/** One AWS call of cleanup: enough to say what failed, where, and how to fix it. */
interface Call {
  /** Sentence subject, e.g. "Removing the launch permission of account 2222 from ami-1". */
  what: string;
  side: Side;
  region: string;
  /** IAM actions the call needs. */
  actions: string[];
  /** The CLI command that does the same by hand, with the same side's credentials. */
  manual: string;
}

class Gone {
  static readonly instance = new Gone();
}

class Cleanup {
  readonly report: CleanupReport = { removed: [], kept: [], failed: [] };

  constructor(private readonly ctx: CleanupContext) {}

  private side(side: Side): CleanupSide {
    return this.ctx.sides?.[side] ?? {};
  }

  item(what: string, side: Side, region: string): CleanupItem {
    const accountId = this.side(side).accountId;
    return { what, side, region, ...(accountId ? { accountId } : {}) };
  }

  private place(item: CleanupItem): string {
    return where({ side: item.side, accountId: item.accountId, region: item.region });
  }

  removed(item: CleanupItem, alreadyGone = false): void {
    this.report.removed.push(alreadyGone ? { ...item, alreadyGone } : item);
    this.ctx.log.info(
      alreadyGone ? `Already gone: ${item.what} (${this.place(item)})` : `Removed ${item.what} (${this.place(item)})`,
    );
  }

  kept(item: CleanupItem, reason: string): void {
    this.report.kept.push({ ...item, reason });
    this.ctx.log.info(`Kept ${item.what} (${this.place(item)}): ${reason}`);
  }

  failed(item: CleanupItem, error: unknown): void {
    const problem =
      error instanceof PromotionError
        ? error
        : this.problem({ what: `Removing ${item.what}`, side: item.side, region: item.region, actions: [], manual: '' }, error);
    const { why, fix } = problem.details;
    this.report.failed.push({ ...item, message: problem.message, why, fix });
    this.ctx.log.info(`Could not remove ${item.what} (${this.place(item)}): ${why}`);
  }

  /** Turns an AWS error into a PromotionError saying the probable reason and the fix. */
  problem(call: Call, error: unknown): PromotionError {
    const name = errorName(error);
    const message = errorMessage(error);
    const { accountId, roleArn } = this.side(call.side);
    const role = `the ${call.side} role${roleArn ? ` ${roleArn}` : ''}`;
    const byHand = call.manual ? ` Or do it by hand with ${call.side} account credentials: ${call.manual}` : '';
    const details: ProblemDetails = { what: call.what, side: call.side, accountId, region: call.region, why: '', fix: '', cause: error };
    if (error instanceof PromotionError) {
      // The session itself failed (for example the OIDC token or AssumeRoleWithWebIdentity).
      details.why = error.details.why;
      details.fix = `${error.details.fix}${byHand}`;
    } else if (isAccessDenied(error) || /not authorized|access ?denied/i.test(message)) {
      details.why = `${role} is not allowed to call ${call.actions.join(' and ')} (${name || 'AccessDenied'}: ${message}).`;
      details.fix = `Allow ${call.actions.join(' and ')} on ${role}${call.side === 'source' && call.actions.some((a) => a.startsWith('kms:')) ? ' (in its IAM policy and in the key policy)' : ''}.${byHand}`;
    } else if (isExpired(error)) {
      details.why = `the ${call.side} credentials expired (${name}: ${message}).`;
      details.fix =
        call.side === 'source' && !roleArn
          ? `Credentials from an earlier configure-aws-credentials step cannot be renewed here: set source-role-arn so that the action assumes the source role with the OIDC token in both steps.${byHand}`
          : `Re-run the job to retry with fresh credentials.${byHand}`;
    } else if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
      details.why = `no ${call.side} credentials were available (${message}).`;
      details.fix =
        call.side === 'source'
          ? `Set source-role-arn, or keep the source credentials of an earlier configure-aws-credentials step available to the post step.${byHand}`
          : `Check target-role-arn and that the job has permissions: id-token: write.${byHand}`;
    } else if (name === 'InvalidSnapshot.InUse') {
      details.why = `the snapshot is still used by an AMI (${message}).`;
      details.fix = `Deregister the AMI that uses it, then delete the snapshot.${byHand}`;
    } else if (name === 'KMSInvalidStateException') {
      details.why = `the key is disabled or pending deletion (${message}).`;
      details.fix = `Enable the key, then remove the grant.${byHand}`;
    } else {
      details.why = `${name || 'error'}: ${message}`;
      details.fix = `Run the action again to retry.${byHand}`;
    }
    return new PromotionError(details);
  }

  /** Sends one call; `gone` error codes resolve to Gone, anything else throws a PromotionError. */
  async send<T>(call: Call, fn: () => Promise<T>, gone: ReadonlySet<string> = new Set()): Promise<T | Gone> {
    try {
      return await fn();
    } catch (error) {
      if (gone.has(errorName(error))) return Gone.instance;
      throw this.problem(call, error);
    }
  }

  // --- 1. target copies that never finished -------------------------------------------------------

  async targetCopy(region: string, imageId: string): Promise<void> {
    const ec2 = this.ctx.target.ec2(region);
    const item = this.item(`unfinished copy ${imageId}`, 'target', region);
    let snapshotIds: string[] = [];
    try {
      const image = await this.findImage(ec2, 'target', region, imageId);
      if (image) {
        if (tagValue(image.Tags, TAG.role) !== ROLE_PROMOTED) {
          this.kept(item, `it does not carry the tag ${TAG.role}=${ROLE_PROMOTED}, so it is not treated as this action's copy and is left alone.`);
          return;
        }
        snapshotIds = (image.BlockDeviceMappings ?? []).flatMap((mapping) => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []));
        const deregistered = await this.deregister(ec2, 'target', region, image, true);
        this.removed(item, deregistered instanceof Gone);
      } else {
        this.removed(item, true);
      }
    } catch (error) {
      this.failed(item, error);
      return;
    }
    // Snapshots the deregistration left behind (or of a copy already deregistered), only with our tag.
    let leftovers: Snapshot[];
    try {
      leftovers =
        snapshotIds.length > 0
          ? await this.snapshotsById(ec2, 'target', region, snapshotIds)
          : (await this.snapshotsOfCopy(ec2, region, imageId)).filter((snapshot) => snapshot.Description?.includes(imageId));
    } catch (error) {
      this.failed(this.item(`snapshots of ${imageId}`, 'target', region), error);
      return;
    }
    for (const snapshot of leftovers) {
      if (tagValue(snapshot.Tags, TAG.role) !== ROLE_PROMOTED) {
        this.kept(this.item(`snapshot ${snapshot.SnapshotId} of ${imageId}`, 'target', region), `it does not carry the tag ${TAG.role}=${ROLE_PROMOTED}.`);
        continue;
      }
      await this.deleteSnapshot(ec2, 'target', region, snapshot.SnapshotId as string, `snapshot ${snapshot.SnapshotId} of ${imageId}`);
    }
  }

  private async findImage(ec2: EC2Client, side: Side, region: string, imageId: string): Promise<Image | undefined> {
    const response = await this.send(
      { what: `Describing ${imageId}`, side, region, actions: ['ec2:DescribeImages'], manual: '' },
      () => ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })),
      IMAGE_GONE,
    );
    if (response instanceof Gone) return undefined;
    const image = response.Images?.find((candidate) => candidate.ImageId === imageId);
    return image && image.State !== 'deregistered' ? image : undefined;
  }

  /** The snapshots that still exist among `ids` (one call each: a missing one does not hide the others). */
  private async snapshotsById(ec2: EC2Client, side: Side, region: string, ids: readonly string[]): Promise<Snapshot[]> {
    const found: Snapshot[] = [];
    for (const id of ids) {
      const response = await this.send(
        { what: `Describing snapshot ${id}`, side, region, actions: ['ec2:DescribeSnapshots'], manual: '' },
        () => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] })),
        SNAPSHOT_GONE,
      );
      if (response instanceof Gone) continue;
      const snapshot = response.Snapshots?.find((candidate) => candidate.SnapshotId === id);
      if (snapshot) found.push(snapshot);
    }
    return found;
  }

  /** Snapshots CopyImage made for `imageId` ("Copied for DestinationAmi ami-..."), carrying our role tag. */
  private async snapshotsOfCopy(ec2: EC2Client, region: string, imageId: string): Promise<Snapshot[]> {
    const found: Snapshot[] = [];
    let token: string | undefined;
    do {
      const response = await this.send(
        { what: `Looking for the snapshots of ${imageId}`, side: 'target', region, actions: ['ec2:DescribeSnapshots'], manual: '' },
        () =>
          ec2.send(
            new DescribeSnapshotsCommand({
              OwnerIds: ['self'],
              Filters: [
                { Name: `tag:${TAG.role}`, Values: [ROLE_PROMOTED] },
                { Name: 'description', Values: [`*${imageId}*`] },
              ],
              ...(token ? { NextToken: token } : {}),
            }),
          ),
      );
      if (response instanceof Gone) break;
      found.push(...(response.Snapshots ?? []));
      token = response.NextToken;
    } while (token);
    return found;
  }

  private async deleteSnapshot(ec2: EC2Client, side: Side, region: string, snapshotId: string, what: string): Promise<void> {
    const item = this.item(what, side, region);
    try {
      const result = await this.send(
        { what: `Deleting ${what}`, side, region, actions: ['ec2:DeleteSnapshot'], manual: manual.deleteSnapshot(region, snapshotId) },
        () => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })),
        SNAPSHOT_GONE,
      );
      this.removed(item, result instanceof Gone);
    } catch (error) {
      this.failed(item, error);
    }
  }

  // --- 2. sharing ----------------------------------------------------------------------------------

  async launchPermission(region: string, imageId: string, accountId: string): Promise<void> {
    const item = this.item(`launch permission of account ${accountId} on ${imageId}`, 'source', region);
    try {
      const result = await this.send(
        {
          what: `Removing the launch permission of account ${accountId} from ${imageId}`,
          side: 'source',
          region,
          actions: ['ec2:ModifyImageAttribute'],
          manual: manual.launchPermission(region, imageId, accountId),
        },
        () =>
          this.ctx.source.ec2(region).send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove: [{ UserId: accountId }] } })),
        IMAGE_GONE,
      );
      this.removed(item, result instanceof Gone);
    } catch (error) {
      this.failed(item, error);
    }
  }

  async volumePermission(region: string, snapshotId: string, accountId: string): Promise<void> {
    const item = this.item(`createVolumePermission of account ${accountId} on ${snapshotId}`, 'source', region);
    try {
      const result = await this.send(
        {
          what: `Removing the createVolumePermission of account ${accountId} from ${snapshotId}`,
          side: 'source',
          region,
          actions: ['ec2:ModifySnapshotAttribute'],
          manual: manual.volumePermission(region, snapshotId, accountId),
        },
        () =>
          this.ctx.source.ec2(region).send(
            new ModifySnapshotAttributeCommand({
              SnapshotId: snapshotId,
              Attribute: 'createVolumePermission',
              CreateVolumePermission: { Remove: [{ UserId: accountId }] },
            }),
          ),
        SNAPSHOT_GONE,
      );
      this.removed(item, result instanceof Gone);
    } catch (error) {
      this.failed(item, error);
    }
  }

  // --- 3. grants -----------------------------------------------------------------------------------

  async grant(region: string, keyArn: string, grantId: string, grantName: string): Promise<void> {
    const item = this.item(`KMS grant ${grantName} (${grantId}) on ${keyArn}`, 'source', region);
    const kms = this.ctx.source.kms(region);
    try {
      const retired = await this.retire(kms, region, keyArn, grantId, grantName);
      this.removed(item, retired instanceof Gone);
    } catch (error) {
      this.failed(item, error);
    }
  }

  private async retire(kms: ReturnType<AccountClients['kms']>, region: string, keyArn: string, grantId: string, grantName: string) {
    try {
      return await kms.send(new RetireGrantCommand({ KeyId: keyArn, GrantId: grantId }));
    } catch (error) {
      if (GRANT_GONE.has(errorName(error))) return Gone.instance;
      if (!isAccessDenied(error)) {
        throw this.problem(
          {
            what: `Retiring the grant ${grantName} (${grantId}) on ${keyArn}`,
            side: 'source',
            region,
            actions: ['kms:RetireGrant'],
            manual: manual.retireGrant(region, keyArn, grantId),
          },
          error,
        );
      }
    }
    this.ctx.log.info(`Retiring grant ${grantId} was refused; revoking it instead (source, ${region})`);
    return this.send(
      {
        what: `Revoking the grant ${grantName} (${grantId}) on ${keyArn} (retiring it was refused too)`,
        side: 'source',
        region,
        actions: ['kms:RevokeGrant'],
        manual: manual.revokeGrant(region, keyArn, grantId),
      },
      () => kms.send(new RevokeGrantCommand({ KeyId: keyArn, GrantId: grantId })),
      GRANT_GONE,
    );
  }

  // --- 4. the intermediate copy ---------------------------------------------------------------------

  async intermediateCopy(region: string, imageId: string, recordedSnapshotIds: readonly string[], ourAccounts: ReadonlySet<string>): Promise<void> {
    const ec2 = this.ctx.source.ec2(region);
    const item = this.item(`intermediate copy ${imageId}`, 'source', region);
    let image: Image | undefined;
    // A copy cancelled while pending was journaled before its snapshots were known: take them from the image too.
    let snapshotIds = [...recordedSnapshotIds];
    try {
      const attribute = await this.send(
        { what: `Reading the launch permissions of ${imageId}`, side: 'source', region, actions: ['ec2:DescribeImageAttribute'], manual: manual.deregister(region, imageId) },
        () => ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' })),
        IMAGE_GONE,
      );
      if (!(attribute instanceof Gone)) {
        const others = (attribute.LaunchPermissions ?? []).filter((permission) => !(permission.UserId && ourAccounts.has(permission.UserId)));
        if (others.length > 0) {
          this.kept(
            item,
            `it is still shared with ${others.map(describePermission).join(', ')}: another run (for example a job matrix promoting the same AMI to another account) is using it; the last run to finish removes it.`,
          );
          return;
        }
        image = await this.findImage(ec2, 'source', region, imageId);
      }
      if (image) {
        if (tagValue(image.Tags, TAG.role) !== ROLE_INTERMEDIATE || tagValue(image.Tags, TAG.sourceAmiId) === undefined) {
          this.kept(item, `it does not carry the tags ${TAG.role}=${ROLE_INTERMEDIATE} and ${TAG.sourceAmiId}, so it is not treated as this action's copy and is left alone.`);
          return;
        }
        const fromImage = (image.BlockDeviceMappings ?? []).flatMap((mapping) => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []));
        snapshotIds = [...new Set([...snapshotIds, ...fromImage])];
        const deregistered = await this.deregister(ec2, 'source', region, image, false);
        this.removed(item, deregistered instanceof Gone);
      } else {
        this.removed(item, true);
      }
    } catch (error) {
      this.failed(item, error);
      return;
    }
    let snapshots: Snapshot[];
    try {
      snapshots = await this.snapshotsById(ec2, 'source', region, snapshotIds);
    } catch (error) {
      this.failed(this.item(`snapshots of ${imageId}`, 'source', region), error);
      return;
    }
    for (const snapshot of snapshots) {
      const what = `snapshot ${snapshot.SnapshotId} of ${imageId}`;
      if (tagValue(snapshot.Tags, TAG.role) !== ROLE_INTERMEDIATE) {
        this.kept(this.item(what, 'source', region), `it does not carry the tag ${TAG.role}=${ROLE_INTERMEDIATE}.`);
        continue;
      }
      await this.deleteSnapshot(ec2, 'source', region, snapshot.SnapshotId as string, what);
    }
  }

  /** DeregisterImage, saying how to lift deregistration protection when it blocks. */
  private async deregister(ec2: EC2Client, side: Side, region: string, image: Image, withSnapshots: boolean): Promise<unknown> {
    const imageId = image.ImageId as string;
    const call: Call = {
      what: `Deregistering ${imageId}`,
      side,
      region,
      actions: withSnapshots ? ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'] : ['ec2:DeregisterImage'],
      manual: withSnapshots ? manual.deregisterWithSnapshots(region, imageId) : manual.deregister(region, imageId),
    };
    try {
      return await ec2.send(new DeregisterImageCommand(withSnapshots ? { ImageId: imageId, DeleteAssociatedSnapshots: true } : { ImageId: imageId }));
    } catch (error) {
      if (IMAGE_GONE.has(errorName(error))) return Gone.instance;
      const protectedImage = /deregistration protection/i.test(errorMessage(error)) || /^enabled/i.test(image.DeregistrationProtection ?? '');
      if (!protectedImage || isAccessDenied(error)) throw this.problem(call, error);
      throw new PromotionError({
        what: call.what,
        side,
        accountId: this.side(side).accountId,
        region,
        why: `deregistration protection is on for ${imageId} (${errorName(error) || 'error'}: ${errorMessage(error)}).`,
        fix:
          `Turn it off, then deregister the AMI and delete its snapshots with ${side} account credentials: ${manual.disableProtection(region, imageId)}; ` +
          `${call.manual}` +
          (withSnapshots ? '. ' : `; then ${manual.deleteSnapshot(region, 'SNAPSHOT_ID')} for each of its snapshots. `) +
          'If protection was turned on with a cooldown, the AMI can be deregistered 24 hours after turning it off.',
        cause: error,
      });
    }
  }
}

function describePermission(permission: LaunchPermission): string {
  if (permission.UserId) return `account ${permission.UserId}`;
  if (permission.OrganizationArn) return `organization ${permission.OrganizationArn}`;
  if (permission.OrganizationalUnitArn) return `organizational unit ${permission.OrganizationalUnitArn}`;
  if (permission.Group) return `group ${permission.Group}`;
  return 'another principal';
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

function ofKind<K extends JournalEntry['kind']>(entries: readonly JournalEntry[], kind: K): Entry<K>[] {
  return entries.filter((entry): entry is Entry<K> => entry.kind === kind);
}

/**
 * Undoes what the journal records and no earlier cleanup undid: unfinished target copies, the sharing, grants and
 * the intermediate copy, in that order. Every undo is attempted; failures are collected in the report. Records
 * `cleaned` when nothing failed.
 */
export async function cleanUp(ctx: CleanupContext): Promise<CleanupReport> {
  const entries = ctx.journal.entries();
  const nothing = nothingToUndo(entries);
  if (nothing) {
    ctx.log.info(`Nothing to clean up: ${nothing}`);
    return { nothingToDo: nothing, removed: [], kept: [], failed: [] };
  }
  const todo = pending(entries);
  const run = new Cleanup(ctx);

  // 1. Copies in the target account that never finished. A finished copy is the product: never touched.
  const done = new Set(ofKind(todo, 'target-copy-done').map((entry) => entry.imageId));
  for (const entry of unique(ofKind(todo, 'target-copy'), (e) => `${e.region} ${e.imageId}`)) {
    if (!done.has(entry.imageId)) await run.targetCopy(entry.region, entry.imageId);
  }

  // 2. Sharing with the target account: only the account recorded is removed.
  const launchPermissions = unique(ofKind(todo, 'launch-permission'), (e) => `${e.region} ${e.imageId} ${e.accountId}`);
  for (const entry of launchPermissions) await run.launchPermission(entry.region, entry.imageId, entry.accountId);
  for (const entry of unique(ofKind(todo, 'volume-permission'), (e) => `${e.region} ${e.snapshotId} ${e.accountId}`)) {
    await run.volumePermission(entry.region, entry.snapshotId, entry.accountId);
  }

  // 3. Grants on the source key.
  for (const entry of unique(ofKind(todo, 'grant'), (e) => `${e.region} ${e.keyArn} ${e.grantId}`)) {
    await run.grant(entry.region, entry.keyArn, entry.grantId, entry.grantName);
  }

  // 4. The intermediate copy, unless another run still shares it.
  const intermediates = new Map<string, Entry<'intermediate-copy'>>();
  for (const entry of ofKind(todo, 'intermediate-copy')) {
    const key = `${entry.region} ${entry.imageId}`;
    const seen = intermediates.get(key);
    intermediates.set(key, seen ? { ...seen, snapshotIds: [...new Set([...seen.snapshotIds, ...entry.snapshotIds])] } : entry);
  }
  for (const entry of intermediates.values()) {
    const ours = new Set(launchPermissions.filter((p) => p.region === entry.region && p.imageId === entry.imageId).map((p) => p.accountId));
    await run.intermediateCopy(entry.region, entry.imageId, entry.snapshotIds, ours);
  }

  // 5. What stays on purpose.
  for (const entry of unique(ofKind(todo, 'key-policy-statement'), (e) => `${e.region} ${e.keyArn} ${e.sid}`)) {
    run.kept(
      run.item(`key-policy statement ${entry.sid} on ${entry.keyArn}`, 'source', entry.region),
      'key-access is key-policy: the statement was asked for and stays; remove it from the key policy by hand when the target account no longer needs the key.',
    );
  }
  for (const entry of unique(ofKind(todo, 'target-copy-done'), (e) => `${e.region} ${e.imageId}`)) {
    run.kept(
      run.item(`promoted AMI ${entry.imageId}`, 'target', entry.region),
      'it is the result of the promotion.',
    );
  }

  const { report } = run;
  if (report.failed.length === 0) ctx.journal.record({ kind: 'cleaned' });
  return report;
}
