export const id = 167;
export const ids = [167];
export const modules = {

/***/ 4167:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPromotion: () => (/* binding */ runPromotion)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 18 modules
var lib_core = __webpack_require__(6257);
// EXTERNAL MODULE: ./src/aws/errors.ts
var errors = __webpack_require__(9378);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var dist_cjs = __webpack_require__(5193);
// EXTERNAL MODULE: ./src/aws/classify.ts
var classify = __webpack_require__(8199);
;// CONCATENATED MODULE: ./src/aws/images.ts
function copiedFrom(image) {
    return image.SourceImageId ? { imageId: image.SourceImageId, region: image.SourceImageRegion } : undefined;
}
/** The IDs of the EBS snapshots behind an image's block device mappings. */
function snapshotIdsOf(image) {
    return (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}

;// CONCATENATED MODULE: ./src/domain/cleanup/manual.ts
/** The CLI commands that undo each change by hand. */
const manual_manual = {
    deregister: (region, imageId) => `aws ec2 deregister-image --region ${region} --image-id ${imageId} --delete-associated-snapshots`,
    deleteSnapshot: (region, snapshotId) => `aws ec2 delete-snapshot --region ${region} --snapshot-id ${snapshotId}`,
    launchPermission: (region, imageId, accountId) => `aws ec2 modify-image-attribute --region ${region} --image-id ${imageId} --launch-permission "Remove=[{UserId=${accountId}}]"`,
    volumePermission: (region, snapshotId, accountId) => `aws ec2 modify-snapshot-attribute --region ${region} --snapshot-id ${snapshotId} --attribute createVolumePermission --operation-type remove --user-ids ${accountId}`,
    retireGrant: (region, keyArn, grantId) => `aws kms retire-grant --region ${region} --key-id ${keyArn} --grant-id ${grantId}`,
    revokeGrant: (region, keyArn, grantId) => `aws kms revoke-grant --region ${region} --key-id ${keyArn} --grant-id ${grantId}`,
    deleteTag: (region, resourceId, key) => `aws ec2 delete-tags --region ${region} --resources ${resourceId} --tags Key=${key}`,
    disableProtection: (region, imageId) => `aws ec2 disable-image-deregistration-protection --region ${region} --image-id ${imageId}`,
};

;// CONCATENATED MODULE: ./src/domain/cleanup/visibility.ts
/**
 * How long after its creation a "not found" answer for a resource this run created is not taken as proof that it is
 * gone. EC2 is eventually consistent: a command on a resource just created may answer that it does not exist, and
 * AWS recommends repeating the Describe call with exponential backoff, from a couple of seconds up to a few minutes
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). KMS grants likewise take "usually less
 * than five minutes" to be available throughout KMS (https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html).
 * Three minutes, so that the post step of a cancelled job ends within GitHub's 5-minute cancellation timeout
 * (https://docs.github.com/en/actions/reference/workflow-cancellation-reference).
 */
const VISIBILITY_WINDOW_MS = 3 * 60_000;
/** All of cleanup's waiting for new resources ends this long after cleanup starts (same 5-minute limit). */
const CLEANUP_WAIT_MS = 4 * 60_000;
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 20_000;
/** The answer of a call whose resource does not exist; `note` says how long cleanup looked for a new one. */
class Gone {
    note;
    static instance = new Gone();
    constructor(note) {
        this.note = note;
    }
}
/** A resource this run created, not found yet when cleanup's time ran out, so not known to be gone. */
class NotSeenInTime extends Error {
    resourceId;
    ageSeconds;
    constructor(resourceId, ageSeconds) {
        super(`${resourceId} was not found ${ageSeconds} s after this run created it`);
        this.resourceId = resourceId;
        this.ageSeconds = ageSeconds;
        this.name = 'NotSeenInTime';
    }
}
/** Looks again, with backoff, for resources this run created a moment ago and AWS does not show yet. */
class Lookout {
    clock;
    log;
    signal;
    deadline;
    /**
     * Resources seen, or looked for until the window passed: a later "not found" for them is final at once (a resource
     * seen has propagated; another run may have removed it since, as the last user of a shared intermediate copy does).
     */
    settled = new Set();
    constructor(clock, log, signal) {
        this.clock = clock;
        this.log = log;
        this.signal = signal;
        this.deadline = clock.now() + CLEANUP_WAIT_MS;
    }
    /**
     * Runs `attempt` until it finds the resource. Gone is final for a resource older than the window or of unknown
     * age; for a newer one the attempt is repeated until the window has passed since its creation, then Gone says so.
     * Throws NotSeenInTime when cleanup's time runs out first.
     */
    async untilFound(sought, attempt) {
        let delay = FIRST_DELAY_MS;
        let waited = false;
        for (;;) {
            const result = await attempt();
            if (!(result instanceof Gone))
                this.settled.add(sought.id);
            if (!(result instanceof Gone) || sought.createdAt === undefined || this.settled.has(sought.id))
                return result;
            const now = this.clock.now();
            const windowEnd = sought.createdAt + VISIBILITY_WINDOW_MS;
            if (now >= windowEnd) {
                this.settled.add(sought.id);
                return waited ? new Gone(`not seen within ${VISIBILITY_WINDOW_MS / 1000} s of its creation`) : result;
            }
            const age = Math.round((now - sought.createdAt) / 1000);
            if (now >= this.deadline)
                throw new NotSeenInTime(sought.id, age);
            const wait = Math.min(delay, windowEnd - now, this.deadline - now);
            this.log.info(`${sought.what} was not found ${age} s after this run created it; AWS may not show a new resource for a few minutes (eventual consistency): looking again in ${Math.ceil(wait / 1000)} s.`);
            await this.clock.sleep(wait, this.signal);
            waited = true;
            delay = Math.min(delay * 2, MAX_DELAY_MS);
        }
    }
}

// EXTERNAL MODULE: ./src/domain/tags.ts
var domain_tags = __webpack_require__(5431);
;// CONCATENATED MODULE: ./src/domain/cleanup/images.ts







/** The copy as DescribeImages shows it, or Gone (looked for again while it may be too new to be shown). */
async function findImage(run, copy) {
    const { side, region, imageId, ec2 } = copy;
    const call = { what: `Describing ${imageId}`, side, region, actions: ['ec2:DescribeImages'], manual: manual_manual.deregister(region, imageId) };
    return run.untilFound(call, run.sought(imageId, copy.label), async () => {
        const response = await run.send(call, () => ec2.send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [imageId] })), 'image');
        if (response instanceof Gone)
            return response;
        const image = response.Images?.find((candidate) => candidate.ImageId === imageId);
        return image && image.State !== 'deregistered' ? image : Gone.instance;
    });
}
/**
 * Deregisters the copy, even while it is still `pending`: that is how AWS stops a pending AMI copy
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html#ami-copy-stop). Says how to lift
 * deregistration protection when it blocks.
 */
async function deregister(run, copy, image) {
    const { side, region, imageId, ec2 } = copy;
    const call = {
        what: `Deregistering ${imageId} and deleting its snapshots`,
        side,
        region,
        actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
        manual: manual_manual.deregister(region, imageId),
    };
    return run.untilFound(call, run.sought(imageId, copy.label), async () => {
        try {
            return await ec2.send(new dist_cjs/* DeregisterImageCommand */.x2c({ ImageId: imageId, DeleteAssociatedSnapshots: true }));
        }
        catch (error) {
            if ((0,classify/* isNotFound */.c4)(error, 'image'))
                return Gone.instance;
            const protectedImage = /deregistration protection/i.test((0,errors/* errorMessage */.gJ)(error)) || /^enabled/i.test(image.DeregistrationProtection ?? '');
            if (!protectedImage || (0,classify/* isAccessDenied */.w7)(error))
                throw run.problem(call, error);
            throw new errors/* PromotionError */.g1({
                what: call.what,
                side,
                accountId: run.side(side).accountId,
                region,
                why: `deregistration protection is on for ${imageId} (${(0,errors/* errorName */.Is)(error) || 'error'}: ${(0,errors/* errorMessage */.gJ)(error)}).`,
                fix: `Turn it off, then deregister the AMI and delete its snapshots with ${side} account credentials: ${manual_manual.disableProtection(region, imageId)}; ` +
                    `${call.manual}. ` +
                    'If protection was turned on with a cooldown, the AMI can be deregistered 24 hours after turning it off.',
                cause: error,
            });
        }
    });
}
/** The snapshots that still exist among `ids` (one call each: a missing one does not hide the others). */
async function snapshotsById(run, copy, ids) {
    const { side, region, ec2 } = copy;
    const found = [];
    for (const id of ids) {
        const call = { what: `Describing snapshot ${id}`, side, region, actions: ['ec2:DescribeSnapshots'], manual: manual_manual.deleteSnapshot(region, id) };
        const describe = () => ec2.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({ SnapshotIds: [id] }));
        const response = await run.sendUntilFound(call, run.sought(id, `snapshot ${id}`, copy.imageId), describe, 'snapshot');
        if (response instanceof Gone)
            continue;
        const snapshot = response.Snapshots?.find((candidate) => candidate.SnapshotId === id);
        if (snapshot)
            found.push(snapshot);
    }
    return found;
}
/**
 * Snapshots CopyImage made for the copy ("Copied for DestinationAmi ami-..."), carrying its role tag: for a copy whose
 * snapshot IDs are not known. None found for a copy made a moment ago is looked for again.
 */
async function snapshotsOfCopy(run, copy) {
    const { side, region, imageId, ec2 } = copy;
    const call = {
        what: `Looking for the snapshots of ${imageId}`,
        side,
        region,
        actions: ['ec2:DescribeSnapshots'],
        manual: `aws ec2 describe-snapshots --region ${region} --owner-ids self --filters Name=description,Values='*${imageId}*'; ` +
            `then ${manual_manual.deleteSnapshot(region, 'SNAPSHOT_ID')} for each`,
    };
    const found = await run.untilFound(call, run.sought(`snapshots of ${imageId}`, `any snapshot of ${imageId}`, imageId), async () => {
        const list = [];
        let token;
        do {
            const response = await run.send(call, () => ec2.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({
                OwnerIds: ['self'],
                Filters: [
                    { Name: `tag:${domain_tags/* TAG */.Dk.role}`, Values: [copy.role] },
                    { Name: 'description', Values: [`*${imageId}*`] },
                ],
                ...(token ? { NextToken: token } : {}),
            })));
            if (response instanceof Gone)
                break;
            list.push(...(response.Snapshots ?? []));
            token = response.NextToken;
        } while (token);
        const ours = list.filter((snapshot) => snapshot.Description?.includes(imageId));
        return ours.length > 0 ? ours : Gone.instance;
    });
    return found instanceof Gone ? [] : found;
}
async function deleteSnapshot(run, copy, snapshotId, what) {
    const { side, region, ec2 } = copy;
    const item = run.item(what, side, region);
    try {
        const result = await run.send({ what: `Deleting ${what}`, side, region, actions: ['ec2:DeleteSnapshot'], manual: manual_manual.deleteSnapshot(region, snapshotId) }, () => ec2.send(new dist_cjs/* DeleteSnapshotCommand */.tZN({ SnapshotId: snapshotId })), 'snapshot');
        run.removed(item, result instanceof Gone ? result : undefined);
    }
    catch (error) {
        run.failed(item, error);
    }
}
/**
 * Deletes the copy's snapshots that are left: those with `ids` when known (from the journal or the image), else those
 * found by tag and description. Only snapshots carrying the copy's role tag are deleted.
 */
async function removeSnapshots(run, copy, ids) {
    let leftovers;
    try {
        leftovers = ids ? await snapshotsById(run, copy, ids) : await snapshotsOfCopy(run, copy);
    }
    catch (error) {
        run.failed(run.item(`snapshots of ${copy.imageId}`, copy.side, copy.region), error);
        return;
    }
    for (const snapshot of leftovers) {
        const what = `snapshot ${snapshot.SnapshotId} of ${copy.imageId}`;
        if ((0,domain_tags/* tagValue */.EZ)(snapshot.Tags, domain_tags/* TAG */.Dk.role) !== copy.role) {
            run.kept(run.item(what, copy.side, copy.region), `it does not carry the tag ${domain_tags/* TAG */.Dk.role}=${copy.role}.`);
            continue;
        }
        await deleteSnapshot(run, copy, snapshot.SnapshotId, what);
    }
}
/** Snapshot IDs DeregisterImage reports as deleted with the image. */
function deletedWith(result) {
    if (result instanceof Gone)
        return [];
    return (result.DeleteSnapshotResults ?? []).flatMap((r) => (r.ReturnCode === 'success' && r.SnapshotId ? [r.SnapshotId] : []));
}
/**
 * Deregisters the copy and deletes its snapshots in the same call (DeleteAssociatedSnapshots:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html). Returns the snapshots of `knownIds`
 * and the image that were not deleted with it, or undefined when none is known (then they are found by tag).
 */
async function deregisterWithSnapshots(run, copy, image, knownIds = []) {
    const result = await deregister(run, copy, image);
    const deleted = deletedWith(result);
    const known = [...new Set([...knownIds, ...snapshotIdsOf(image), ...deleted])];
    return { result, leftover: known.length > 0 ? known.filter((id) => !deleted.includes(id)) : undefined };
}
// --- target copies that never finished -----------------------------------------------------------------
/**
 * Deregisters an unfinished copy in a target account with its snapshots. `knownSnapshotIds`: snapshot copies the
 * journal names for it (copy-method snapshots), deleted by the same call or after it, also when the image is gone.
 */
async function removeTargetCopy(run, region, imageId, knownSnapshotIds = []) {
    const ec2 = run.target.clients.ec2(region);
    const copy = { side: 'target', region, imageId, label: `unfinished copy ${imageId}`, ec2, role: domain_tags/* ROLE_PROMOTED */.qZ };
    const item = run.item(copy.label, 'target', region);
    let ids = knownSnapshotIds.length > 0 ? [...knownSnapshotIds] : undefined;
    try {
        const image = await findImage(run, copy);
        if (image instanceof Gone) {
            run.removed(item, image);
        }
        else {
            if ((0,domain_tags/* tagValue */.EZ)(image.Tags, domain_tags/* TAG */.Dk.role) !== domain_tags/* ROLE_PROMOTED */.qZ) {
                run.kept(item, `it does not carry the tag ${domain_tags/* TAG */.Dk.role}=${domain_tags/* ROLE_PROMOTED */.qZ}, so it is not treated as this action's copy and is left alone.`);
                return;
            }
            const { result, leftover } = await deregisterWithSnapshots(run, copy, image, knownSnapshotIds);
            run.removed(item, result instanceof Gone ? result : undefined);
            ids = leftover;
        }
    }
    catch (error) {
        run.failed(item, error);
        return;
    }
    await removeSnapshots(run, copy, ids);
}
// --- copy-method snapshots: snapshot copies whose AMI did not finish -----------------------------------
/**
 * Deletes a snapshot copy the run made in a target account, pending or not, when it carries the promoted role tag.
 * That deleting a pending copy stops it is what the EBS guide's copy page says
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html); not verified against AWS here.
 */
async function removeSnapshotCopy(run, region, snapshotId, sourceSnapshotId) {
    const ec2 = run.target.clients.ec2(region);
    const copy = { side: 'target', region, imageId: sourceSnapshotId, label: `copy of ${sourceSnapshotId}`, ec2, role: domain_tags/* ROLE_PROMOTED */.qZ };
    await removeSnapshots(run, copy, [snapshotId]);
}

// EXTERNAL MODULE: ./src/aws/explain.ts
var explain = __webpack_require__(7754);
;// CONCATENATED MODULE: ./src/domain/context.ts
const context_systemClock = {
    now: () => Date.now(),
    sleep: (ms, signal) => new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(signal.reason);
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
function forTarget(ctx, target) {
    return { ...ctx, target };
}
/** The target account IDs, in the order of the inputs. */
function targetAccountIds(ctx) {
    return ctx.targets.map((target) => target.identity.accountId);
}
/** Where a call runs: the account's side, ID, principal and credentials, and the region, for every message about it. */
function siteOf(account, region) {
    const { side, accountId, principalArn } = account.identity;
    return { side, accountId, region, principal: principalArn, credentials: account.credentials };
}
/** The clients of an account together with who the action is there. */
function accountOf(clients, identity, credentials = 'assumed') {
    return { ...clients, identity, credentials };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/domain/tokens.ts

/** A deterministic idempotency token (CopyImage ClientToken: at most 64 ASCII characters). */
function clientToken(...parts) {
    return (0,external_node_crypto_.createHash)('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 64);
}
function shortHash(...parts) {
    return clientToken(...parts).slice(0, 10);
}

;// CONCATENATED MODULE: ./src/domain/steps/lease.ts
/**
 * The lease on a shared intermediate copy. Several runs (a job matrix) may use one intermediate copy at once, and EC2
 * offers no lock: tags, like everything in the EC2 API, are eventually consistent
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). So each run tags the copy with its own
 * lease (`promote-ami:lease:<holder>` = until when) before it relies on it, and its cleanup removes only that tag and
 * deregisters the copy only when no other run's lease and no other account's launch permission is left
 * (cleanup/intermediate.ts). A cleanup about to deregister first marks the copy as going
 * (`promote-ami:going:<holder>`) and looks once more; a run that took up a copy made by another run looks for such a
 * mark `settleMs` after writing its lease. Either the cleanup sees the lease or the run sees the mark, as long as a tag
 * shows everywhere within half of `settleMs`.
 */







const LEASE_TIMING = {
    /** How long a run waits after writing its lease before it looks for a going mark; how long a cleanup that sees other users waits before it looks again. */
    settleMs: 10_000,
    /** How long a going mark holds: the time a cleanup takes from marking the copy to deregistering it. */
    goingMs: 60_000,
    /** A lease holds this long after the run's deadline (wait-timeout-minutes), for its cleanup. */
    afterDeadlineMs: 10 * 60_000,
    /** How often a run looks again while a cleanup of another run has marked the copy as going. */
    pollMs: 3_000,
};
/** The name of this run's lease and going mark: run ID, attempt, and a hash of its target accounts, regions and keys (jobs of one matrix differ there). */
function holderOf(ctx) {
    const { runId, runAttempt } = ctx.request.provenance;
    const targets = JSON.stringify(ctx.targets.map((t) => [t.identity.accountId, t.spec.regions, t.spec.key]));
    return `${runId ?? 'run'}-${runAttempt ?? '1'}-${shortHash(targets)}`;
}
/** This run's lease tag: valid until its deadline plus the time its cleanup may take. */
function leaseTag(ctx) {
    return { Key: `${domain_tags/* MARK */.M$.lease}${holderOf(ctx)}`, Value: new Date(ctx.deadline + LEASE_TIMING.afterDeadlineMs).toISOString() };
}
/** The marks of one kind on an image that are still valid at `now`, other than `own` (a value that is no time has expired). */
function activeMarks(tags, prefix, now, own = new Set()) {
    return (tags ?? []).flatMap(({ Key: key, Value: until }) => key?.startsWith(prefix) && !own.has(key) && until !== undefined && Date.parse(until) > now ? [{ key, until }] : []);
}
function describeMarks(marks) {
    return marks.map((mark) => `${mark.key} (until ${mark.until})`).join(', ');
}
/** The image as its owner sees it now; undefined when it is gone (not found, or deregistered). */
async function currentImage(ctx, imageId) {
    const region = ctx.request.sourceRegion;
    const response = await (0,explain/* call */.T1)({ ...siteOf(ctx.source, region), what: `Describing the intermediate copy ${imageId}`, action: 'ec2:DescribeImages' }, () => ctx.source
        .ec2(region)
        .send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [imageId] }), { abortSignal: ctx.signal })
        .catch((error) => {
        if ((0,classify/* isNotFound */.c4)(error, 'image'))
            return { Images: [] };
        throw error;
    }));
    const image = response.Images?.find((candidate) => candidate.ImageId === imageId);
    return image && image.State !== 'deregistered' ? image : undefined;
}
/**
 * Tags a copy another run made with this run's lease, recorded in the journal first so that cleanup removes it even
 * after a cancellation. False when the copy is gone.
 */
async function takeLease(ctx, imageId) {
    const region = ctx.request.sourceRegion;
    const tag = leaseTag(ctx);
    const site = { ...siteOf(ctx.source, region), what: `Taking a lease on the intermediate copy ${imageId}`, action: 'ec2:CreateTags' };
    ctx.journal.record({ kind: 'lease', region, imageId, key: tag.Key });
    const sent = await (0,explain/* call */.T1)(site, () => ctx.source
        .ec2(region)
        .send(new dist_cjs/* CreateTagsCommand */.RmG({ Resources: [imageId], Tags: [tag] }), { abortSignal: ctx.signal })
        .then(() => true)
        .catch((error) => {
        if ((0,classify/* isNotFound */.c4)(error, 'image'))
            return false;
        if ((0,errors/* errorName */.Is)(error) !== 'TagLimitExceeded')
            throw error;
        throw new errors/* PromotionError */.g1({
            ...site,
            why: `${imageId} already has 50 tags: its own, the source AMI's (copy-tags) and one lease per run that uses it (${(0,errors/* errorName */.Is)(error)}).`,
            fix: 'Set copy-tags: false or remove tags from the source AMI, or run fewer jobs on this AMI at once (max-parallel in the matrix).',
            cause: error,
        });
    }));
    if (sent)
        ctx.log.info(`Leased the intermediate copy ${imageId} as ${tag.Key} until ${tag.Value}.`);
    return sent;
}
/**
 * For a copy another run made: `settleMs` after the lease was written, the copy must exist and carry no valid going
 * mark. While a cleanup has marked it, that cleanup either deregisters it or, seeing this run's lease, takes the mark
 * away: waits for either. Returns the image, or undefined when the copy is gone.
 */
async function confirmLease(ctx, imageId, leasedAt) {
    const settle = leasedAt + LEASE_TIMING.settleMs - ctx.clock.now();
    if (settle > 0)
        await ctx.clock.sleep(settle, ctx.signal);
    let told = false;
    for (;;) {
        const image = await currentImage(ctx, imageId);
        const going = activeMarks(image?.Tags, domain_tags/* MARK */.M$.going, ctx.clock.now());
        if (!image || going.length === 0)
            return image;
        if (!told) {
            ctx.log.info(`The cleanup of another run is about to remove the intermediate copy ${imageId} (${describeMarks(going)}): waiting until it has seen this run's lease or removed the copy.`);
            told = true;
        }
        await ctx.clock.sleep(LEASE_TIMING.pollMs, ctx.signal);
    }
}
/**
 * For a call on the intermediate copy that failed because the copy is gone: says that another run's cleanup most
 * probably removed it (it did not see this run's lease in time).
 */
function removedByAnotherRun(ctx, imageId, what) {
    return (error) => {
        const cause = error instanceof errors/* PromotionError */.g1 ? error.details.cause : error;
        if (!(0,classify/* isNotFound */.c4)(cause, 'image'))
            throw error;
        throw new errors/* PromotionError */.g1({
            ...siteOf(ctx.source, ctx.request.sourceRegion),
            what,
            why: `the intermediate copy ${imageId} is gone (${(0,errors/* errorName */.Is)(cause)}): most probably the cleanup of another run promoting the same AMI ` +
                "(for example another job of a job matrix) removed it, not seeing this run's lease in time (EC2 tags are eventually consistent).",
            fix: 'Re-run this job: it makes or takes up a new intermediate copy. If it happens again, start the jobs of the matrix further apart.',
            cause: error,
        });
    };
}

;// CONCATENATED MODULE: ./src/domain/cleanup/intermediate.ts
// The intermediate copy: removed by the last run that uses it (the lease protocol is described in steps/lease.ts).






/** Gone after this cleanup saw it: another run's cleanup removed it meanwhile, and deletes its snapshots. */
const REMOVED_MEANWHILE = new Gone("another run's cleanup removed it meanwhile (and deletes its snapshots)");
function describePermission(permission) {
    if (permission.UserId)
        return `account ${permission.UserId}`;
    if (permission.OrganizationArn)
        return `organization ${permission.OrganizationArn}`;
    if (permission.OrganizationalUnitArn)
        return `organizational unit ${permission.OrganizationalUnitArn}`;
    if (permission.Group)
        return `group ${permission.Group}`;
    return 'another principal';
}
/** Who else the copy is shared with (another run using it), or Gone. */
async function otherPermissions(run, copy, ourAccounts) {
    const { region, imageId, ec2 } = copy;
    const call = {
        what: `Reading the launch permissions of ${imageId}`,
        side: 'source',
        region,
        actions: ['ec2:DescribeImageAttribute'],
        manual: manual_manual.deregister(region, imageId),
    };
    const describe = () => ec2.send(new dist_cjs/* DescribeImageAttributeCommand */.OkE({ ImageId: imageId, Attribute: 'launchPermission' }));
    const attribute = await run.sendUntilFound(call, run.sought(imageId, copy.label), describe, 'image');
    if (attribute instanceof Gone)
        return attribute;
    return (attribute.LaunchPermissions ?? []).filter((permission) => !(permission.UserId && ourAccounts.has(permission.UserId)));
}
/**
 * The first look asks for the permissions, then the image: AWS may show a new copy to one call and not yet to the
 * other (eventual consistency), and each is asked again until it shows. Once both were seen, "not found" means gone,
 * so later looks ask both at once.
 */
async function lookAtUsers(run, copy, ours, seen = false) {
    const [permissions, image] = seen
        ? await Promise.all([otherPermissions(run, copy, ours.accounts), findImage(run, copy)])
        : [await otherPermissions(run, copy, ours.accounts), undefined];
    if (permissions instanceof Gone)
        return permissions;
    const shown = image ?? (await findImage(run, copy));
    if (shown instanceof Gone)
        return shown;
    return { image: shown, permissions, leases: activeMarks(shown.Tags, domain_tags/* MARK */.M$.lease, run.ctx.clock.now(), new Set(ours.leases)) };
}
const inUse = (users) => users.permissions.length > 0 || users.leases.length > 0;
function keptFor(users) {
    const reasons = [
        ...(users.permissions.length > 0 ? [`it is still shared with ${users.permissions.map(describePermission).join(', ')}`] : []),
        ...(users.leases.length > 0 ? [`another run still holds a lease on it: ${describeMarks(users.leases)}`] : []),
    ];
    return `${reasons.join('; ')}. Another run (for example a job matrix promoting the same AMI to another account) is using it; the last run to finish removes it.`;
}
/** CreateTags or DeleteTags of one tag on the copy; Gone when the copy is. */
async function tagCopy(run, copy, change, tag) {
    const { region, imageId, ec2 } = copy;
    const call = {
        what: `${change === 'create' ? 'Tagging' : 'Deleting the tag'} ${tag.Key} ${change === 'create' ? 'on' : 'from'} ${imageId}`,
        side: 'source',
        region,
        actions: [change === 'create' ? 'ec2:CreateTags' : 'ec2:DeleteTags'],
        manual: change === 'create' ? manual_manual.deregister(region, imageId) : manual_manual.deleteTag(region, imageId, tag.Key),
    };
    const send = () => change === 'create'
        ? ec2.send(new dist_cjs/* CreateTagsCommand */.RmG({ Resources: [imageId], Tags: [tag] }))
        : ec2.send(new dist_cjs/* DeleteTagsCommand */.MVD({ Resources: [imageId], Tags: [{ Key: tag.Key }] }));
    return run.sendUntilFound(call, run.sought(imageId, copy.label), send, 'image');
}
/** Deletes this run's lease tags, so that other runs finishing at the same time see that this one is gone. */
async function releaseLeases(run, copy, keys) {
    await Promise.all(keys.map(async (key) => {
        const item = run.item(`lease tag ${key} on ${copy.imageId}`, 'source', copy.region);
        try {
            const result = await tagCopy(run, copy, 'delete', { Key: key });
            run.removed(item, result instanceof Gone ? result : undefined);
        }
        catch (error) {
            run.failed(item, error);
        }
    }));
}
/**
 * Deregister only when nobody else uses the copy. This run's leases are released while it first looks (the look
 * leaves them out). Seeing other users, looks again after a while (runs finishing at the same time each see the
 * other's lease until its removal shows). Seeing none, waits for `undone`, marks the copy as going and looks once
 * more: a run that has just leased it either shows here or sees the mark (steps/lease.ts) and waits.
 */
async function decide(run, copy, ours, undone) {
    let [, users] = await Promise.all([releaseLeases(run, copy, ours.leases), lookAtUsers(run, copy, ours)]);
    if (users instanceof Gone)
        return users;
    if ((0,domain_tags/* tagValue */.EZ)(users.image.Tags, domain_tags/* TAG */.Dk.role) !== domain_tags/* ROLE_INTERMEDIATE */.pP || (0,domain_tags/* tagValue */.EZ)(users.image.Tags, domain_tags/* TAG */.Dk.sourceAmiId) === undefined) {
        return { kept: `it does not carry the tags ${domain_tags/* TAG */.Dk.role}=${domain_tags/* ROLE_INTERMEDIATE */.pP} and ${domain_tags/* TAG */.Dk.sourceAmiId}, so it is not treated as this action's copy and is left alone.` };
    }
    if (inUse(users)) {
        await run.ctx.clock.sleep(LEASE_TIMING.settleMs, run.ctx.signal);
        users = await lookAtUsers(run, copy, ours, true);
        if (users instanceof Gone)
            return REMOVED_MEANWHILE;
        if (inUse(users))
            return { kept: keptFor(users) };
    }
    await undone;
    const holder = ours.leases[0]?.slice(domain_tags/* MARK */.M$.lease.length) ?? 'cleanup';
    const going = { Key: `${domain_tags/* MARK */.M$.going}${holder}`, Value: new Date(run.ctx.clock.now() + LEASE_TIMING.goingMs).toISOString() };
    if ((await tagCopy(run, copy, 'create', going)) instanceof Gone)
        return REMOVED_MEANWHILE;
    users = await lookAtUsers(run, copy, ours, true);
    if (users instanceof Gone)
        return REMOVED_MEANWHILE;
    if (!inUse(users))
        return users.image;
    await tagCopy(run, copy, 'delete', going);
    return { kept: keptFor(users) };
}
/**
 * Removes this run's leases, then the intermediate copy and its snapshots unless another run still uses it; the copy
 * is removed only after `undone` (the rest of cleanup) has finished.
 */
async function removeIntermediateCopy(run, region, imageId, recordedSnapshotIds, ours, undone) {
    const ec2 = run.ctx.source.clients.ec2(region);
    const copy = { side: 'source', region, imageId, label: `intermediate copy ${imageId}`, ec2, role: domain_tags/* ROLE_INTERMEDIATE */.pP };
    const item = run.item(copy.label, 'source', region);
    // A copy cancelled while pending was journaled before its snapshots were known: take them from the image too.
    let ids = recordedSnapshotIds.length > 0 ? [...recordedSnapshotIds] : undefined;
    try {
        const decision = await decide(run, copy, ours, undone);
        if ('kept' in decision) {
            run.kept(item, decision.kept);
            return;
        }
        if (decision === REMOVED_MEANWHILE) {
            run.removed(item, REMOVED_MEANWHILE);
            return;
        }
        if (decision instanceof Gone) {
            run.removed(item, decision);
        }
        else {
            const { result, leftover } = await deregisterWithSnapshots(run, copy, decision, recordedSnapshotIds);
            if (result instanceof Gone) {
                run.removed(item, REMOVED_MEANWHILE);
                return;
            }
            run.removed(item);
            ids = leftover;
        }
    }
    catch (error) {
        run.failed(item, error);
        return;
    }
    await removeSnapshots(run, copy, ids);
}

;// CONCATENATED MODULE: ./src/domain/cleanup/journal-view.ts

/** Why there is nothing to undo, or undefined when the journal holds changes to undo. */
function nothingToUndo(entries) {
    const last = entries.at(-1);
    if (!last)
        return 'the main step made no change in AWS.';
    if (last.kind === 'cleaned')
        return 'the main step already removed its temporary sharing, grants and copies.';
    if (last.kind === 'kept')
        return 'the promotion succeeded with cleanup turned off, so the sharing and grants stay on purpose.';
    return undefined;
}
/** The entries a previous cleanup has not covered: those after the last `cleaned` or `kept` mark. */
function pending(entries) {
    let start = 0;
    entries.forEach((entry, index) => {
        if (entry.kind === 'cleaned' || entry.kind === 'kept')
            start = index + 1;
    });
    return entries.slice(start);
}
/** A one-line description of a journal entry with the command that undoes it by hand. */
function describeEntry(entry) {
    switch (entry.kind) {
        case 'intermediate-copy':
            return [
                `intermediate copy ${entry.imageId} (source account, ${entry.region}): ${manual.deregister(entry.region, entry.imageId)}`,
                ...entry.snapshotIds.map((id) => manual.deleteSnapshot(entry.region, id)),
            ].join('; then ');
        case 'lease':
            return `lease tag ${entry.key} on the intermediate copy ${entry.imageId} (source account, ${entry.region}): ${manual.deleteTag(entry.region, entry.imageId, entry.key)}`;
        case 'intermediate-gone':
            return `intermediate copy ${entry.imageId} (source account, ${entry.region}): removed by another run`;
        case 'launch-permission':
            return `launch permission of account ${entry.accountId} on ${entry.imageId} (source account, ${entry.region}): ${manual.launchPermission(entry.region, entry.imageId, entry.accountId)}`;
        case 'volume-permission':
            return `createVolumePermission of account ${entry.accountId} on ${entry.snapshotId} (source account, ${entry.region}): ${manual.volumePermission(entry.region, entry.snapshotId, entry.accountId)}`;
        case 'grant':
            return `KMS grant ${entry.grantName} (${entry.grantId}) on ${entry.keyArn}: ${manual.revokeGrant(entry.region, entry.keyArn, entry.grantId)}`;
        case 'key-policy-statement':
            return `key-policy statement ${entry.sid} on ${entry.keyArn} (kept on purpose)`;
        case 'target-copy':
            return `copy ${entry.imageId} (target account${entry.accountId ? ` ${entry.accountId}` : ''}, ${entry.region}): ${manual.deregister(entry.region, entry.imageId)}`;
        case 'target-snapshot-copy':
            return `copy ${entry.snapshotId} of snapshot ${entry.sourceSnapshotId} (target account ${entry.accountId}, ${entry.region}): ${manual.deleteSnapshot(entry.region, entry.snapshotId)}`;
        case 'target-copy-done':
            return `promoted AMI ${entry.imageId} (target account${entry.accountId ? ` ${entry.accountId}` : ''}, ${entry.region})`;
        case 'cleaned':
            return 'cleanup finished';
        case 'kept':
            return 'sharing kept on purpose (cleanup turned off)';
    }
}

;// CONCATENATED MODULE: ./src/domain/cleanup/run.ts




/** One cleanup: the report it builds, and how it sends calls and explains their failures (with the shared explainer). */
class CleanupRun {
    ctx;
    created;
    report;
    target;
    lookout;
    /**
     * `created`: when this run created each resource (image, snapshot or grant ID), from the journal. `target`: the
     * target account this run works in (the first by default; see forTarget).
     */
    constructor(ctx, created, report = { removed: [], kept: [], failed: [] }, target = ctx.targets[0] ?? { clients: ctx.source.clients }, lookout = new Lookout(ctx.clock, ctx.log, ctx.signal)) {
        this.ctx = ctx;
        this.created = created;
        this.report = report;
        this.target = target;
        this.lookout = lookout;
    }
    /** The same cleanup, in the target account of `accountId` (the first one when unknown, as in journals of one target). */
    forTarget(accountId) {
        const target = this.ctx.targets.find((t) => t.accountId === accountId) ?? this.target;
        return new CleanupRun(this.ctx, this.created, this.report, target, this.lookout);
    }
    side(side) {
        return side === 'source' ? this.ctx.source : this.target;
    }
    /** A resource to look for; `createdWith` names the resource created together with it (a copy's snapshots: the copy). */
    sought(id, what, createdWith = id) {
        return { id, what, createdAt: this.created.get(id) ?? this.created.get(createdWith) };
    }
    item(what, side, region) {
        const accountId = this.side(side).accountId;
        return { what, side, region, ...(accountId ? { accountId } : {}) };
    }
    place(item) {
        return (0,errors/* where */._M)({ side: item.side, accountId: item.accountId, region: item.region });
    }
    /** Records a removal; `gone` when it was already gone. */
    removed(item, gone) {
        const note = gone?.note;
        this.report.removed.push(gone ? { ...item, alreadyGone: true, ...(note ? { note } : {}) } : item);
        this.ctx.log.info(gone ? `Already gone: ${item.what} (${this.place(item)})${note ? `: ${note}` : ''}` : `Removed ${item.what} (${this.place(item)})`);
    }
    kept(item, reason) {
        this.report.kept.push({ ...item, reason });
        this.ctx.log.info(`Kept ${item.what} (${this.place(item)}): ${reason}`);
    }
    failed(item, error) {
        const problem = error instanceof errors/* PromotionError */.g1
            ? error
            : this.problem({ what: `Removing ${item.what}`, side: item.side, region: item.region, actions: [], manual: '' }, error);
        const { why, fix } = problem.details;
        this.report.failed.push({ ...item, message: problem.message, why, fix });
        this.ctx.log.info(`Could not remove ${item.what} (${this.place(item)}): ${why}`);
    }
    /** Where `call` runs, for the shared explainer: the account, the role, and where the credentials come from. */
    site(call) {
        const { accountId, roleArn } = this.side(call.side);
        return {
            what: call.what,
            side: call.side,
            accountId,
            region: call.region,
            action: call.actions,
            resource: call.resource,
            principal: roleArn,
            credentials: roleArn ? 'assumed' : 'environment',
        };
    }
    /** What cleanup adds to every fix: the command that does the same by hand. */
    byHand(call) {
        return call.manual ? `Or do it by hand with ${call.side} account credentials: ${call.manual}` : undefined;
    }
    /** Explains why `call` failed and the fix, with the command to do it by hand. */
    problem(call, error) {
        if (!(error instanceof NotSeenInTime))
            return (0,explain/* explainAwsError */.Ni)(error, this.site(call), this.byHand(call));
        return new errors/* PromotionError */.g1({
            what: call.what,
            side: call.side,
            accountId: this.side(call.side).accountId,
            region: call.region,
            why: `${error.message}, and AWS may take a few minutes to show a new resource (eventual consistency); cleanup's time ran out before it could tell whether it exists.`,
            fix: `Check whether ${error.resourceId} still exists in ${call.region}, and if it does remove it with ${call.side} account credentials: ${call.manual}`,
            cause: error,
        });
    }
    /** Sends one call; a "not found" answer for a resource of kind `gone` resolves to Gone, anything else throws a PromotionError. */
    send(call, fn, gone) {
        const attempt = async () => {
            try {
                return await fn();
            }
            catch (error) {
                if (gone && (0,classify/* isNotFound */.c4)(error, gone))
                    return Gone.instance;
                throw error;
            }
        };
        return (0,explain/* call */.T1)(this.site(call), attempt, this.byHand(call));
    }
    /** Runs `attempt` until it finds `sought`, which AWS may not show yet if this run created it a moment ago. */
    async untilFound(call, sought, attempt) {
        try {
            return await this.lookout.untilFound(sought, attempt);
        }
        catch (error) {
            if (error instanceof NotSeenInTime)
                throw this.problem(call, error);
            throw error;
        }
    }
    /** `send`, looking again while a resource this run created a moment ago answers "not found". */
    sendUntilFound(call, sought, fn, gone) {
        return this.untilFound(call, sought, () => this.send(call, fn, gone));
    }
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-kms/dist-cjs/index.js
var client_kms_dist_cjs = __webpack_require__(2632);
;// CONCATENATED MODULE: ./src/aws/attribute-limits.ts
/**
 * How many account IDs one attribute call takes. ModifyImageAttribute: "Up to 10 000 account IDs can be specified in a
 * single request" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html).
 * ModifySnapshotAttribute: "up to 500 modifications to a snapshot in a single operation"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html).
 */
const PERMISSIONS_PER_CALL = { image: 10_000, snapshot: 500 };
/** The list in pieces of at most `size`, in order. */
function batches(list, size) {
    return Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
}

;// CONCATENATED MODULE: ./src/domain/cleanup/sharing.ts






function removal(permission, accountIds) {
    const { kind, region, resourceId } = permission;
    const accounts = accountIds.join(', ');
    const image = kind === 'image';
    const Remove = accountIds.map((UserId) => ({ UserId }));
    return {
        call: {
            what: `Removing the ${image ? 'launch permission' : 'createVolumePermission'} of account ${accounts} from ${resourceId}`,
            side: 'source',
            region,
            actions: [image ? 'ec2:ModifyImageAttribute' : 'ec2:ModifySnapshotAttribute'],
            manual: accountIds.map((id) => (image ? manual_manual.launchPermission(region, resourceId, id) : manual_manual.volumePermission(region, resourceId, id))).join('; '),
        },
        send: (run) => {
            const ec2 = run.ctx.source.clients.ec2(region);
            return image
                ? ec2.send(new dist_cjs/* ModifyImageAttributeCommand */.FE3({ ImageId: resourceId, LaunchPermission: { Remove } }))
                : ec2.send(new dist_cjs/* ModifySnapshotAttributeCommand */.KD0({ SnapshotId: resourceId, Attribute: 'createVolumePermission', CreateVolumePermission: { Remove } }));
        },
    };
}
/** Removes the permissions this run added for these accounts on one image or snapshot, in as few calls as AWS allows. */
async function removePermissions(run, permission, accountIds) {
    const { kind, region, resourceId } = permission;
    for (const batch of batches(accountIds, PERMISSIONS_PER_CALL[kind])) {
        const items = batch.map((id) => run.item(`${kind === 'image' ? 'launch permission' : 'createVolumePermission'} of account ${id} on ${resourceId}`, 'source', region));
        const { call, send } = removal(permission, batch);
        try {
            const result = await run.sendUntilFound(call, run.sought(resourceId, `${kind} ${resourceId}`), () => send(run), kind);
            for (const item of items)
                run.removed(item, result instanceof Gone ? result : undefined);
        }
        catch (error) {
            for (const item of items)
                run.failed(item, error);
        }
    }
}
/** RetireGrant (`retiring` describes that call), or RevokeGrant when retiring is refused. */
async function retire(run, kms, retiring, keyArn, grantId, grantName) {
    const { region } = retiring;
    try {
        return await kms.send(new client_kms_dist_cjs/* RetireGrantCommand */.j9I({ KeyId: keyArn, GrantId: grantId }));
    }
    catch (error) {
        if ((0,classify/* isNotFound */.c4)(error, 'kms'))
            return Gone.instance;
        if (!(0,classify/* isAccessDenied */.w7)(error))
            throw run.problem(retiring, error);
    }
    run.ctx.log.info(`Retiring grant ${grantId} was refused; revoking it instead (source, ${region})`);
    return run.send({
        what: `Revoking the grant ${grantName} (${grantId}) on ${keyArn} (retiring it was refused too)`,
        side: 'source',
        region,
        actions: ['kms:RevokeGrant'],
        resource: keyArn,
        manual: manual_manual.revokeGrant(region, keyArn, grantId),
    }, () => kms.send(new client_kms_dist_cjs/* RevokeGrantCommand */.aex({ KeyId: keyArn, GrantId: grantId })), 'kms');
}
async function removeGrant(run, region, keyArn, grantId, grantName) {
    const item = run.item(`KMS grant ${grantName} (${grantId}) on ${keyArn}`, 'source', region);
    const call = {
        what: `Retiring the grant ${grantName} (${grantId}) on ${keyArn}`,
        side: 'source',
        region,
        actions: ['kms:RetireGrant'],
        resource: keyArn,
        manual: manual_manual.retireGrant(region, keyArn, grantId),
    };
    const kms = run.ctx.source.clients.kms(region);
    try {
        const attempt = () => retire(run, kms, call, keyArn, grantId, grantName);
        const retired = await run.untilFound(call, run.sought(grantId, `grant ${grantName}`), attempt);
        run.removed(item, retired instanceof Gone ? retired : undefined);
    }
    catch (error) {
        run.failed(item, error);
    }
}

;// CONCATENATED MODULE: ./src/domain/cleanup/cleanup.ts





function unique(items, key) {
    const seen = new Map();
    for (const item of items)
        if (!seen.has(key(item)))
            seen.set(key(item), item);
    return [...seen.values()];
}
function ofKind(entries, kind) {
    return entries.filter((entry) => entry.kind === kind);
}
function byResource(permissions) {
    const groups = new Map();
    for (const { kind, region, resourceId, accountId } of permissions) {
        const key = `${region} ${resourceId}`;
        const group = groups.get(key) ?? { permission: { kind, region, resourceId }, accountIds: [] };
        group.accountIds.push(accountId);
        groups.set(key, group);
    }
    return [...groups.values()];
}
/**
 * When this run created each image, snapshot and grant it recorded (the first record of it): a resource is created
 * with its journal entry, and a copy's snapshots with the copy. Entries without a time (older journals) and
 * intermediate copies the run saw removed by another run are left out: "not found" is final for them.
 */
function creationTimes(entries) {
    const times = new Map();
    const note = (id, at) => {
        if (at !== undefined && at < (times.get(id) ?? Infinity))
            times.set(id, at);
    };
    for (const entry of entries) {
        if (entry.kind === 'intermediate-copy' || entry.kind === 'target-copy')
            note(entry.imageId, entry.at);
        if (entry.kind === 'grant')
            note(entry.grantId, entry.at);
        if (entry.kind === 'target-snapshot-copy')
            note(entry.snapshotId, entry.at);
    }
    for (const entry of ofKind(entries, 'intermediate-copy')) {
        for (const snapshotId of entry.snapshotIds)
            note(snapshotId, times.get(entry.imageId));
    }
    for (const entry of ofKind(entries, 'intermediate-gone'))
        times.delete(entry.imageId);
    return times;
}
const copyKey = (e) => `${e.accountId ?? ''} ${e.region} ${e.imageId}`;
const siteKey = (e) => `${e.accountId ?? ''} ${e.region}`;
/**
 * Copies in the target accounts that never finished, each deregistered with its snapshots (with copy-method snapshots,
 * the snapshot copies of its account and region), then the snapshot copies of a region whose AMI was never
 * registered. A finished copy and its snapshots are the product: never touched.
 */
async function unfinishedCopies(run, todo) {
    const done = new Set(ofKind(todo, 'target-copy-done').map(copyKey));
    const doneSites = new Set(ofKind(todo, 'target-copy-done').map(siteKey));
    const unfinished = unique(ofKind(todo, 'target-copy'), copyKey).filter((entry) => !done.has(copyKey(entry)));
    const snapshotCopies = unique(ofKind(todo, 'target-snapshot-copy'), (e) => `${siteKey(e)} ${e.snapshotId}`).filter((e) => !doneSites.has(siteKey(e)));
    const copiesAt = (site) => snapshotCopies.filter((e) => siteKey(e) === site).map((e) => e.snapshotId);
    const imageSites = new Set(unfinished.map(siteKey));
    await Promise.all([
        ...unfinished.map((entry) => removeTargetCopy(run.forTarget(entry.accountId), entry.region, entry.imageId, copiesAt(siteKey(entry)))),
        ...snapshotCopies
            .filter((entry) => !imageSites.has(siteKey(entry)))
            .map((entry) => removeSnapshotCopy(run.forTarget(entry.accountId), entry.region, entry.snapshotId, entry.sourceSnapshotId)),
    ]);
}
/** Sharing with the target accounts: only the accounts recorded are removed, all of a resource's in one call. */
async function sharing(run, todo) {
    const images = unique(ofKind(todo, 'launch-permission'), (e) => `${e.region} ${e.imageId} ${e.accountId}`);
    const snapshots = unique(ofKind(todo, 'volume-permission'), (e) => `${e.region} ${e.snapshotId} ${e.accountId}`);
    const permissions = [
        ...images.map((e) => ({ kind: 'image', region: e.region, resourceId: e.imageId, accountId: e.accountId })),
        ...snapshots.map((e) => ({ kind: 'snapshot', region: e.region, resourceId: e.snapshotId, accountId: e.accountId })),
    ];
    await Promise.all(byResource(permissions).map(({ permission, accountIds }) => removePermissions(run, permission, accountIds)));
}
async function grants(run, todo) {
    const entries = unique(ofKind(todo, 'grant'), (e) => `${e.region} ${e.keyArn} ${e.grantId}`);
    await Promise.all(entries.map((entry) => removeGrant(run, entry.region, entry.keyArn, entry.grantId, entry.grantName)));
}
/**
 * This run's leases on the intermediate copy, then the copy unless another run still uses it. The copy is looked at
 * while `undone` (the rest of cleanup) runs, and removed only after it, when no unfinished copy reads its snapshots.
 */
async function intermediateCopies(run, todo, undone) {
    const intermediates = new Map();
    for (const entry of ofKind(todo, 'intermediate-copy')) {
        const key = `${entry.region} ${entry.imageId}`;
        const seen = intermediates.get(key);
        intermediates.set(key, seen ? { ...seen, snapshotIds: [...new Set([...seen.snapshotIds, ...entry.snapshotIds])] } : entry);
    }
    const removals = [...intermediates.values()].map((entry) => {
        const onIt = (e) => e.region === entry.region && e.imageId === entry.imageId;
        const accounts = new Set(ofKind(todo, 'launch-permission').filter(onIt).map((p) => p.accountId));
        const leases = [...new Set(ofKind(todo, 'lease').filter(onIt).map((l) => l.key))];
        return removeIntermediateCopy(run, entry.region, entry.imageId, entry.snapshotIds, { accounts, leases }, undone);
    });
    await Promise.all([undone, ...removals]);
}
/** What stays on purpose: key-policy statements asked for, and the promoted AMIs. */
function keptOnPurpose(run, todo) {
    for (const entry of unique(ofKind(todo, 'key-policy-statement'), (e) => `${e.region} ${e.keyArn} ${e.sid}`)) {
        run.kept(run.item(`key-policy statement ${entry.sid} on ${entry.keyArn}`, 'source', entry.region), 'key-access is key-policy: the statement was asked for and stays; remove it from the key policy by hand when the target account no longer needs the key.');
    }
    for (const entry of unique(ofKind(todo, 'target-copy-done'), copyKey)) {
        run.kept(run.forTarget(entry.accountId).item(`promoted AMI ${entry.imageId}`, 'target', entry.region), 'it is the result of the promotion.');
    }
}
/**
 * Undoes what the journal records and no earlier cleanup undid: unfinished target copies, the sharing and grants, all
 * at once, then the intermediate copy. Every undo is attempted; failures are collected in the report. Records
 * `cleaned` when nothing failed.
 */
async function cleanup_cleanUp(ctx) {
    const entries = ctx.journal.entries();
    const nothing = nothingToUndo(entries);
    if (nothing) {
        ctx.log.info(`Nothing to clean up: ${nothing}`);
        return { nothingToDo: nothing, removed: [], kept: [], failed: [] };
    }
    const todo = pending(entries);
    const run = new CleanupRun(ctx, creationTimes(entries));
    const undone = Promise.all([unfinishedCopies(run, todo), sharing(run, todo), grants(run, todo)]);
    await intermediateCopies(run, todo, undone);
    keptOnPurpose(run, todo);
    if (run.report.failed.length === 0)
        ctx.journal.record({ kind: 'cleaned' });
    return run.report;
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var client_sts_dist_cjs = __webpack_require__(1695);
// EXTERNAL MODULE: ./src/aws/arn.ts
var aws_arn = __webpack_require__(1626);
;// CONCATENATED MODULE: ./src/domain/lookups/identity.ts



/**
 * Who a session of `role` named `sessionName` is, without a call: the assumed-role ARN STS gives such a session
 * (arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION-NAME, the role name without its path:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns). The role is assumed
 * on the first call that needs it, and a failure to assume it is explained there.
 */
function assumedIdentity(role, sessionName, side) {
    return {
        side,
        accountId: role.accountId,
        arn: `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
        principalArn: role.arn,
    };
}
/**
 * Who the credentials from the environment are (GetCallerIdentity needs no IAM permission:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), explained as credentials from the
 * environment when it fails.
 */
async function callerIdentity(clients, region, side) {
    try {
        const response = await clients.sts(region).send(new client_sts_dist_cjs/* GetCallerIdentityCommand */.zI({}));
        if (!response.Account || !response.Arn)
            throw new Error('STS returned no account');
        return { side, accountId: response.Account, arn: response.Arn, principalArn: (0,aws_arn/* principalOf */.i6)(response.Arn) };
    }
    catch (error) {
        throw (0,explain/* explainAwsError */.Ni)(error, { what: `Identifying the ${side} credentials`, side, region, action: 'sts:GetCallerIdentity', credentials: 'environment' });
    }
}

;// CONCATENATED MODULE: ./src/domain/lookups/inspect.ts






/**
 * What RegisterImage needs to make the same AMI from copies of its snapshots (copy-method snapshots), as DescribeImages
 * shows it: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html. UEFI data is not in DescribeImages
 * (DescribeImageAttribute uefiData, read when registering).
 */
const REGISTRATION_KEYS = [
    'Architecture',
    'VirtualizationType',
    'RootDeviceName',
    'EnaSupport',
    'SriovNetSupport',
    'BootMode',
    'TpmSupport',
    'ImdsSupport',
    'KernelId',
    'RamdiskId',
];
function refuse(ctx, why, fix) {
    throw new errors/* PromotionError */.g1({
        what: `Inspecting ${ctx.request.sourceAmiId}`,
        side: 'source',
        accountId: ctx.source.identity.accountId,
        region: ctx.request.sourceRegion,
        why,
        fix,
    });
}
/**
 * A disabled AMI cannot be launched or shared until its owner re-enables it (only the owner sees it at all), so
 * neither sharing it as it is nor promoting a copy of it is what its owner wants.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/disable-an-ami.html
 */
function refuseDisabled(ctx) {
    const { request } = ctx;
    const sourceIdentity = ctx.source.identity;
    refuse(ctx, `the AMI is disabled: AWS does not let a disabled AMI be launched or shared until its owner re-enables it.`, `Re-enable it in account ${sourceIdentity.accountId}: aws ec2 enable-image --image-id ${request.sourceAmiId} --region ${request.sourceRegion}; then run the promotion again.`);
}
async function describeImage(ctx) {
    const { request } = ctx;
    try {
        // A disabled AMI is left out of DescribeImages unless asked for; a deprecated one is returned by its ID anyway.
        // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html
        const response = await ctx.source.ec2(request.sourceRegion).send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [request.sourceAmiId], IncludeDisabled: true }));
        return response.Images?.[0];
    }
    catch (error) {
        if (/^InvalidAMIID\./.test((0,errors/* errorName */.Is)(error)))
            return undefined;
        throw (0,explain/* explainAwsError */.Ni)(error, { ...siteOf(ctx.source, request.sourceRegion), what: `Describing ${request.sourceAmiId}`, action: 'ec2:DescribeImages' });
    }
}
async function snapshotKeys(ctx, image, ownedBySource) {
    const ids = snapshotIdsOf(image);
    const keys = new Map();
    if (ids.length === 0)
        return keys;
    try {
        const response = await ctx.source.ec2(ctx.request.sourceRegion).send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({ SnapshotIds: ids }));
        for (const s of response.Snapshots ?? [])
            if (s.SnapshotId)
                keys.set(s.SnapshotId, { encrypted: Boolean(s.Encrypted), kmsKeyId: s.KmsKeyId });
    }
    catch (error) {
        // Snapshots of an AMI shared from another account may be invisible; it is copied in any case.
        if (ownedBySource) {
            throw (0,explain/* explainAwsError */.Ni)(error, { ...siteOf(ctx.source, ctx.request.sourceRegion), what: `Describing the snapshots of ${image.ImageId}`, action: 'ec2:DescribeSnapshots' });
        }
    }
    return keys;
}
/** Whether the AMI's owner shared it with the source account explicitly (not only publicly). */
async function sharedWithSource(ctx) {
    const { request } = ctx;
    const response = await (0,explain/* call */.T1)({ ...siteOf(ctx.source, request.sourceRegion), what: `Checking that ${request.sourceAmiId} is shared with the source account`, action: 'ec2:DescribeImages' }, () => ctx.source.ec2(request.sourceRegion).send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [request.sourceAmiId], ExecutableUsers: ['self'] })));
    return (response.Images ?? []).some((image) => image.ImageId === request.sourceAmiId);
}
/** Refuses what AWS would refuse of the image itself: not visible, not available, not EBS-backed. */
function requireCopyableState(ctx, image) {
    const { request } = ctx;
    const account = ctx.source.identity.accountId;
    if (!image?.ImageId) {
        refuse(ctx, `the source account cannot see ${request.sourceAmiId} in ${request.sourceRegion}: it does not exist there, it is neither owned by nor shared with account ${account}, or its owner disabled it (which ends its sharing).`, `Check source-ami-id and source-region (AMIs are regional), or share the AMI with account ${account}.`);
    }
    if (image.State === 'disabled')
        refuseDisabled(ctx);
    if (image.State !== 'available') {
        const reason = image.StateReason?.Message ? ` (${image.StateReason.Message})` : '';
        refuse(ctx, `the AMI is ${image.State}${reason}, not available.`, image.State === 'pending' ? 'Wait until the AMI is available, then run the promotion again.' : 'Promote an available AMI.');
    }
    if (image.RootDeviceType !== 'ebs') {
        refuse(ctx, `the AMI is ${image.RootDeviceType ?? 'not EBS'}-backed; only EBS-backed AMIs can be shared and copied this way.`, 'Promote an EBS-backed AMI.');
    }
}
/** Refuses an AMI the source account may not pass on: public only, or carrying Marketplace codes. */
async function requireOurs(ctx, image, ownedBySource) {
    const { request } = ctx;
    const account = ctx.source.identity.accountId;
    const ownerId = image.OwnerId ?? '';
    if (!ownedBySource && !(await sharedWithSource(ctx))) {
        refuse(ctx, `${request.sourceAmiId} belongs to account ${ownerId} and is public, but neither owned by nor shared with account ${account}.`, `Promote an AMI of your own: build it in account ${account} (for example from this public AMI), or have account ${ownerId} share it with account ${account}.`);
    }
    const marketplace = (image.ProductCodes ?? []).filter((p) => p.ProductCodeType === 'marketplace');
    if (marketplace.length > 0) {
        refuse(ctx, `the AMI carries AWS Marketplace product code(s) ${marketplace.map((p) => p.ProductCodeId).join(', ')}; AWS does not let another account copy Marketplace AMIs or AMIs derived from them.`, 'Build the image from a base AMI without Marketplace product codes, or subscribe the target account to the product and build the image there.');
    }
}
/** Every EBS snapshot of the image with its encryption, as the source account sees it. */
async function snapshotsOf(ctx, image, ownedBySource) {
    const mappings = (image.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.SnapshotId);
    if (mappings.length === 0)
        refuse(ctx, 'the AMI has no EBS snapshots.', 'Promote an EBS-backed AMI with at least one snapshot.');
    const keys = await snapshotKeys(ctx, image, ownedBySource);
    return mappings.map((m) => {
        const snapshotId = m.Ebs?.SnapshotId;
        const known = keys.get(snapshotId);
        return { snapshotId, deviceName: m.DeviceName ?? '', encrypted: known?.encrypted ?? Boolean(m.Ebs?.Encrypted), kmsKeyId: known?.kmsKeyId ?? m.Ebs?.KmsKeyId };
    });
}
function registrationAttributes(image) {
    const attributes = Object.fromEntries(REGISTRATION_KEYS.map((key) => [key, image[key]]));
    return { ...attributes, BlockDeviceMappings: image.BlockDeviceMappings ?? [] };
}
/** The AMI exists, is available, EBS-backed and copyable, with its snapshots and their keys. */
async function inspectImage(ctx) {
    const image = await describeImage(ctx);
    requireCopyableState(ctx, image);
    const ownerId = image.OwnerId ?? '';
    const ownedBySource = ownerId === ctx.source.identity.accountId;
    await requireOurs(ctx, image, ownedBySource);
    return {
        imageId: image.ImageId,
        region: ctx.request.sourceRegion,
        ownerId,
        ownedBySource,
        name: image.Name ?? image.ImageId,
        description: image.Description,
        tags: (0,domain_tags/* userTags */.Rz)(image.Tags),
        snapshots: await snapshotsOf(ctx, image, ownedBySource),
        platformDetails: image.PlatformDetails,
        billingCodes: (image.ProductCodes ?? []).flatMap((p) => (p.ProductCodeId ? [p.ProductCodeId] : [])),
        usageOperation: image.UsageOperation,
        registration: registrationAttributes(image),
        deprecationTime: image.DeprecationTime,
    };
}
/** The AMI can be shared as it is: the source account owns it and every snapshot is under the CMK. */
function isSharableAsIs(image, cmkArn) {
    return image.ownedBySource && image.snapshots.every((s) => s.encrypted && s.kmsKeyId === cmkArn);
}

;// CONCATENATED MODULE: ./src/domain/lookups/source-key.ts




function source_key_refuse(ctx, why, fix) {
    throw new errors/* PromotionError */.g1({
        what: `Checking the key ${ctx.request.kmsKey.arn}`,
        side: 'source',
        accountId: ctx.source.identity.accountId,
        region: ctx.request.kmsKey.region,
        why,
        fix,
    });
}
const CREATE_KEY_FIX = 'Create a customer-managed symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT) in the source account and region and pass its ARN as kms-key-arn.';
/** The CMK is customer-managed, symmetric, enabled and in the source region. */
async function inspectSourceKey(ctx) {
    const { kmsKey } = ctx.request;
    let metadata;
    try {
        metadata = (await ctx.source.kms(kmsKey.region).send(new client_kms_dist_cjs/* DescribeKeyCommand */.spV({ KeyId: kmsKey.arn }))).KeyMetadata;
    }
    catch (error) {
        if ((0,errors/* errorName */.Is)(error) === 'NotFoundException') {
            source_key_refuse(ctx, `no key or alias ${kmsKey.arn} exists (or the source account cannot see it).`, 'Check kms-key-arn: keys and aliases are regional, and a key of another account must be named by its full ARN.');
        }
        throw (0,explain/* explainAwsError */.Ni)(error, {
            ...siteOf(ctx.source, kmsKey.region),
            what: `Describing the key ${kmsKey.arn}`,
            action: 'kms:DescribeKey',
            // IAM authorizes DescribeKey on the key ARN, never on an alias ARN: the key behind an alias is not known yet.
            resource: kmsKey.kind === 'alias' ? `arn:${kmsKey.partition}:kms:${kmsKey.region}:${kmsKey.accountId}:key/*` : kmsKey.arn,
        });
    }
    if (!metadata?.Arn || !metadata.KeyId)
        source_key_refuse(ctx, 'KMS returned no key metadata.', 'Check kms-key-arn.');
    if (metadata.KeyManager === 'AWS') {
        source_key_refuse(ctx, 'it is an AWS-managed key; snapshots encrypted with it cannot be shared with another account.', CREATE_KEY_FIX);
    }
    if (metadata.KeySpec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT') {
        source_key_refuse(ctx, `it is a ${metadata.KeySpec} key for ${metadata.KeyUsage}; EBS encrypts only with symmetric encryption keys.`, CREATE_KEY_FIX);
    }
    if (metadata.KeyState !== 'Enabled') {
        source_key_refuse(ctx, `the key is ${metadata.KeyState}.`, metadata.KeyState === 'PendingDeletion'
            ? `Cancel its deletion (aws kms cancel-key-deletion --key-id ${metadata.Arn}) and enable it, or use another key.`
            : `Enable it (aws kms enable-key --key-id ${metadata.Arn}) or use another key.`);
    }
    return { arn: metadata.Arn, keyId: metadata.KeyId, accountId: metadata.AWSAccountId ?? ctx.request.kmsKey.accountId, region: kmsKey.region };
}

;// CONCATENATED MODULE: ./src/domain/provenance.ts

/** The tags that identify a promoted AMI: what it was promoted from, under which key, by which run. */
function provenanceTags(ctx, key) {
    const { request } = ctx;
    const tags = [
        { Key: domain_tags/* TAG */.Dk.role, Value: domain_tags/* ROLE_PROMOTED */.qZ },
        { Key: domain_tags/* TAG */.Dk.sourceAmiId, Value: request.sourceAmiId },
        { Key: domain_tags/* TAG */.Dk.sourceAccount, Value: ctx.source.identity.accountId },
        { Key: domain_tags/* TAG */.Dk.sourceRegion, Value: request.sourceRegion },
        { Key: domain_tags/* TAG */.Dk.kmsKey, Value: key.label },
    ];
    if (request.lineage)
        tags.push({ Key: domain_tags/* TAG */.Dk.lineage, Value: request.lineage });
    const { repository, commitSha, runUrl } = request.provenance;
    if (repository)
        tags.push({ Key: domain_tags/* TAG */.Dk.repository, Value: repository });
    if (commitSha)
        tags.push({ Key: domain_tags/* TAG */.Dk.commit, Value: commitSha });
    if (runUrl)
        tags.push({ Key: domain_tags/* TAG */.Dk.runUrl, Value: runUrl });
    return tags;
}
/** Tags of the promoted AMI and its snapshots: the source's own tags, the tags input, then provenance. */
function promotedTags(ctx, source, key) {
    return (0,domain_tags/* mergeTags */.kE)(ctx.request.copyTags && source ? source.tags : [], ctx.request.tags, provenanceTags(ctx, key));
}
/** Tags of the intermediate copy in the source account and its snapshots: the source's own tags, then what marks it as this action's. */
function intermediateTags(ctx, source, key) {
    return (0,domain_tags/* mergeTags */.kE)(ctx.request.copyTags ? source.tags : [], [
        { Key: domain_tags/* TAG */.Dk.role, Value: domain_tags/* ROLE_INTERMEDIATE */.pP },
        { Key: domain_tags/* TAG */.Dk.sourceAmiId, Value: source.imageId },
        { Key: domain_tags/* TAG */.Dk.sourceAccount, Value: ctx.source.identity.accountId },
        { Key: domain_tags/* TAG */.Dk.sourceRegion, Value: source.region },
        { Key: domain_tags/* TAG */.Dk.kmsKey, Value: key.arn },
    ]);
}
/** The name of the promoted AMI in every target region: the ami-name input, else the source AMI's name. */
function promotedName(ctx, source) {
    return ctx.request.amiName ?? source.name;
}
/** The description of the promoted AMI: the ami-description input, else the source AMI's, else where it comes from. */
function promotedDescription(ctx, source) {
    const { request } = ctx;
    return request.amiDescription ?? source.description ?? `Promoted from ${source.imageId} (account ${ctx.source.identity.accountId}, ${request.sourceRegion})`;
}
/** The DescribeImages filters that find an earlier promotion of the same source under the same key. */
function reuseFilters(ctx) {
    return [
        { Name: `tag:${domain_tags/* TAG */.Dk.role}`, Values: [domain_tags/* ROLE_PROMOTED */.qZ] },
        { Name: `tag:${domain_tags/* TAG */.Dk.sourceAmiId}`, Values: [ctx.request.sourceAmiId] },
        { Name: `tag:${domain_tags/* TAG */.Dk.sourceRegion}`, Values: [ctx.request.sourceRegion] },
        { Name: 'state', Values: ['available'] },
    ];
}

;// CONCATENATED MODULE: ./src/domain/lookups/key-policy.ts




/** The key policy text; undefined when the source principal may not read it and `tolerateDenied` is set. */
async function readKeyPolicy(ctx, key, tolerateDenied) {
    try {
        const response = await ctx.source.kms(key.region).send(new client_kms_dist_cjs/* GetKeyPolicyCommand */.$r8({ KeyId: key.arn, PolicyName: 'default' }));
        return response.Policy ?? '{}';
    }
    catch (error) {
        if (tolerateDenied && (0,classify/* isAccessDenied */.w7)(error))
            return undefined;
        throw (0,explain/* explainAwsError */.Ni)(error, {
            what: `Reading the key policy of ${key.arn}`,
            ...siteOf(ctx.source, key.region),
            action: 'kms:GetKeyPolicy',
            resource: key.arn,
        });
    }
}

;// CONCATENATED MODULE: ./src/aws/text.ts
/** "a", "a and b", "a, b and c". */
function andList(items) {
    return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

;// CONCATENATED MODULE: ./src/domain/preflight/allowed-images.ts




/**
 * Allowed AMIs, an account setting per region: when `enabled`, only AMIs that match one of its criteria are
 * discoverable and usable in the account (DescribeImages leaves the others out); `audit-mode` only reports. AMIs the
 * account owns are always allowed, so the promoted AMI never is affected; the shared AMI, owned by the source account, is.
 * What CopyImage does with a shared AMI that is not allowed is not documented.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-allowed-amis.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetAllowedImagesSettings.html
 */
const CHECK = 'Allowed AMIs';
/** The conditions of a criterion besides its image providers, which the preflight cannot judge for an AMI not yet shared. */
function otherConditions(criterion) {
    return Object.entries(criterion).flatMap(([name, value]) => (name !== 'ImageProviders' && value !== undefined && (!Array.isArray(value) || value.length > 0) ? [name] : []));
}
/** The CLI command that adds a criterion for the source account to the existing ones (the call replaces them all). */
function addProviderCommand(region, criteria, sourceAccountId) {
    const next = [...criteria, { ImageProviders: [sourceAccountId] }];
    return `aws ec2 replace-image-criteria-in-allowed-images-settings --region ${region} --image-criteria '${JSON.stringify(next)}'`;
}
function enabledFinding(ctx, region, settings) {
    const source = ctx.source.identity.accountId;
    const target = ctx.target.identity.accountId;
    const owned = `The promoted AMI belongs to account ${target} and is always allowed there.`;
    const criteria = settings.ImageCriteria ?? [];
    const matching = criteria.filter((c) => c.ImageProviders?.includes(source));
    if (matching.some((c) => otherConditions(c).length === 0)) {
        return { check: CHECK, side: 'target', status: 'ok', detail: `enabled in ${region}; its criteria allow AMIs of the source account ${source}, so the shared AMI can be copied. ${owned}` };
    }
    if (matching.length > 0) {
        const conditions = andList([...new Set(matching.flatMap(otherConditions))]);
        return { check: CHECK, side: 'target', status: 'unchecked', detail: `enabled in ${region}; the criteria that name the source account ${source} also set ${conditions}, which the preflight cannot judge for the AMI before it is shared. ${owned}` };
    }
    const declarative = settings.ManagedBy === 'declarative-policy';
    return {
        check: CHECK,
        side: 'target',
        status: 'warning',
        detail: `enabled in ${region}, and no criterion allows AMIs of the source account ${source}: the shared AMI is not discoverable in account ${target}. ` +
            `AWS does not document whether CopyImage of such an AMI is refused; if the copy fails with InvalidAMIID.NotFound, this is why. ${owned}`,
        fix: declarative
            ? `The setting is managed by a declarative policy of your organization: add ${source} to its image providers for ${region}.`
            : `Allow AMIs of account ${source} in ${region}: ${addProviderCommand(region, criteria, source)}`,
    };
}
async function regionFinding(ctx, region) {
    let settings;
    try {
        settings = await ctx.target.ec2(region).send(new dist_cjs/* GetAllowedImagesSettingsCommand */.$_m({}));
    }
    catch (error) {
        const why = (0,classify/* isAccessDenied */.w7)(error) ? `the target role may not read it (ec2:GetAllowedImagesSettings)` : (0,errors/* errorMessage */.gJ)(error);
        return { check: CHECK, side: 'target', status: 'unchecked', detail: `could not read the setting in ${region}: ${why}. When it is enabled without allowing AMIs of account ${ctx.source.identity.accountId}, the shared AMI is hidden from the target account.` };
    }
    if (settings.State === 'enabled')
        return enabledFinding(ctx, region, settings);
    if (settings.State === 'audit-mode') {
        return { check: CHECK, side: 'target', status: 'ok', detail: `audit mode in ${region}: nothing is restricted. The promoted AMI belongs to account ${ctx.target.identity.accountId} and is always allowed there.` };
    }
    return undefined;
}
/** One finding per region to copy into where Allowed AMIs is on (or cannot be read); none where it is off. */
async function allowedImagesFindings(ctx, regions) {
    const findings = await Promise.all(regions.map((region) => regionFinding(ctx, region)));
    return findings.filter((f) => f !== undefined);
}

;// CONCATENATED MODULE: ./src/policy/actions.ts
const actionsOf = (needs) => needs.map((need) => need.action);
/** The actions whose absence fails the run: what the preflight checks. */
const requiredActions = (needs) => actionsOf(needs.filter((need) => !need.optional));
/** Each action once, in alphabetical order, as the generated policies list them. */
const sortedActions = (needs) => [...new Set(actionsOf(needs))].sort();
/** The operations of a KMS grant that gives exactly these actions (kms:Decrypt → Decrypt). */
const grantOperations = (actions) => actions.map((action) => action.replace(/^kms:/, ''));
// --- KMS calls EC2 makes on the copying principal's behalf ------------------------------------------------
/**
 * What EBS documents a principal needs on a key to make encrypted snapshots and volumes, copies included. Which of
 * them a copy checks on the key it reads and which on the key it writes is not documented: the generated policies
 * give all of them on both.
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
const EBS_KEY_USE = [
    { action: 'kms:Decrypt', why: 'EC2 decrypts the data keys of the snapshots it copies' },
    { action: 'kms:DescribeKey', why: 'EC2 checks the key before it uses it; the action reads the key itself too' },
    { action: 'kms:GenerateDataKeyWithoutPlaintext', why: 'EC2 makes the data keys of the new snapshots' },
    { action: 'kms:ReEncrypt*', why: 'EC2 re-encrypts data keys from the key read (ReEncryptFrom) to the key written (ReEncryptTo)' },
];
/** Allowed only under GRANT_FOR_AWS_RESOURCE. */
const EBS_GRANT = { action: 'kms:CreateGrant', why: 'EC2 attaches the new snapshots to the key with a grant' };
/**
 * The condition that keeps a principal's kms:CreateGrant to grants an AWS service (EC2) creates on its behalf.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
const GRANT_FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
/**
 * The kms:ViaService of these calls: the endpoint of the EC2 that makes them.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
const ec2ViaService = (region) => `ec2.${region}.amazonaws.com`;
/**
 * The concrete actions of EBS_KEY_USE and EBS_GRANT that EC2 checks for the copying principal on the key of the
 * snapshots a copy reads: what the simulator and the key-policy check test, and what the target role's grant gives.
 */
const COPY_READ_KEY = [
    { action: 'kms:DescribeKey', why: 'EC2 checks the key of the snapshots it copies' },
    { action: 'kms:Decrypt', why: 'EC2 decrypts their data keys' },
    { action: 'kms:ReEncryptFrom', why: 'EC2 re-encrypts their data keys away from the key' },
    EBS_GRANT,
];
/** The same for the key a copy writes its snapshots under. */
const COPY_WRITE_KEY = [
    { action: 'kms:DescribeKey', why: 'EC2 checks the key it writes the new snapshots under' },
    EBS_GRANT,
    { action: 'kms:GenerateDataKeyWithoutPlaintext', why: 'EC2 makes the data keys of the new snapshots' },
    { action: 'kms:ReEncryptTo', why: 'EC2 re-encrypts data keys to the key' },
];
/**
 * The EC2 actions of these lists that the Service Authorization Reference lists without a resource type: they take
 * only Resource "*" (the generated policies limit them with aws:RequestedRegion). Every other EC2 action here is
 * authorized on image, snapshot or launch-template ARNs.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-actions-as-permissions
 */
const NO_RESOURCE_LEVEL = new Set([
    'ec2:DescribeImages',
    'ec2:DescribeSnapshots',
    'ec2:DescribeImageReferences',
    'ec2:DescribeLaunchTemplates',
    'ec2:DescribeLaunchTemplateVersions',
    'ec2:GetAllowedImagesSettings',
    'ec2:GetEbsDefaultKmsKeyId',
]);
/** The needs whose actions take only Resource "*", and the others. */
function byResourceLevel(needs) {
    return { unscoped: needs.filter((n) => NO_RESOURCE_LEVEL.has(n.action)), scoped: needs.filter((n) => !NO_RESOURCE_LEVEL.has(n.action)) };
}
// --- the source account --------------------------------------------------------------------------------
/** EC2 in the source region, by purpose. */
const SOURCE_EC2 = {
    inspect: [
        { action: 'ec2:DescribeImages', why: 'reads the source AMI; finds an intermediate copy to reuse or to clean up' },
        { action: 'ec2:DescribeSnapshots', why: "reads the source snapshots' keys; finds an intermediate copy's snapshots in cleanup" },
    ],
    reencrypt: [
        { action: 'ec2:CopyImage', why: 'makes the intermediate copy under the shared key' },
        { action: 'ec2:CreateTags', why: "tags the intermediate copy as CopyImage creates it (TagSpecifications); leases a copy another run made; cleanup marks it as going" },
    ],
    share: [
        { action: 'ec2:DescribeImageAttribute', why: 'reads who may already launch the AMI; with copy-method snapshots, reads its UEFI data instead' },
        { action: 'ec2:ModifyImageAttribute', why: 'shares the AMI with the target account; cleanup unshares it' },
        { action: 'ec2:DescribeSnapshotAttribute', why: 'reads who may already create volumes from each snapshot' },
        { action: 'ec2:ModifySnapshotAttribute', why: 'shares each snapshot with the target account; cleanup unshares it' },
    ],
    cleanup: [
        { action: 'ec2:DeregisterImage', why: 'removes the intermediate copy' },
        { action: 'ec2:DeleteSnapshot', why: "removes the intermediate copy's snapshots" },
        { action: 'ec2:DeleteTags', why: "removes the run's lease from the intermediate copy, and its going mark when another run still uses it" },
    ],
};
/** The shared key (kms-key-arn), besides EBS_KEY_USE and EBS_GRANT for the intermediate copy. */
const SOURCE_KEY_CHECK = [
    { action: 'kms:GetKeyPolicy', why: "reads the key policy to check, or change, the target role's access" },
];
/** The shared key, for each key-access mode. */
const SOURCE_KEY_ACCESS = {
    verify: [],
    'key-policy': [{ action: 'kms:PutKeyPolicy', why: 'adds the statements for the target role to the key policy' }],
    grant: [],
};
/**
 * Cleanup removes the run's grant with RetireGrant as the grant's retiring principal (the source role), which needs no
 * permission: "Principals specified in the grant can retire a grant without the kms:RetireGrant permission"; RevokeGrant
 * is only tried when retiring is refused. Neither is in the generated policies; the error of a refused revoke names it.
 * https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html
 */
const SOURCE_GRANT_REMOVAL = [
    { action: 'kms:RetireGrant', why: "cleanup retires the run's grant as its retiring principal (no permission needed)", optional: true },
    { action: 'kms:RevokeGrant', why: 'cleanup revokes the grant when retiring it is refused', optional: true },
];
/** key-access: grant — only for the target role (condition kms:GranteePrincipal). */
const SOURCE_KEY_GRANT = { action: 'kms:CreateGrant', why: 'grants the target role use of the shared key for the run' };
/** Other customer-managed keys of the source snapshots: the intermediate copy only reads them (EBS_GRANT aside). */
const SOURCE_OTHER_KEYS = COPY_READ_KEY.filter((need) => need !== EBS_GRANT);
// --- the target account --------------------------------------------------------------------------------
/** EC2 in the target regions, by purpose. */
const TARGET_EC2 = {
    copy: [
        { action: 'ec2:CopyImage', why: 'copies the shared AMI into each target region under the target key' },
        { action: 'ec2:DescribeImages', why: 'finds an earlier promotion to reuse and a name already taken; waits for the copies' },
        { action: 'ec2:DescribeSnapshots', why: "waits for the copies' snapshots; finds them in cleanup" },
        { action: 'ec2:CreateTags', why: 'tags each copy and its snapshots as CopyImage creates them (TagSpecifications)' },
        { action: 'ec2:GetEbsDefaultKmsKeyId', why: 'names the default EBS key in the log when no target-kms-key is given', optional: true },
        { action: 'ec2:GetAllowedImagesSettings', why: "reads each target region's Allowed AMIs setting, which can hide the shared AMI (unchecked without it)", optional: true },
    ],
    cleanup: [
        { action: 'ec2:DeregisterImage', why: 'removes a copy that did not finish' },
        { action: 'ec2:DeleteSnapshot', why: "removes that copy's snapshots" },
    ],
    protection: [{ action: 'ec2:EnableImageDeregistrationProtection', why: 'deregistration-protection: protects each promoted AMI' }],
    deprecation: [{ action: 'ec2:EnableImageDeprecation', why: 'deprecate-after-days: sets the deprecation time of each promoted AMI' }],
};
/**
 * copy-method snapshots: what replaces CopyImage in the target regions.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html
 */
const TARGET_SNAPSHOT_COPY = [
    { action: 'ec2:CopySnapshot', why: 'copy-method snapshots: copies each shared snapshot into each target region under the target key' },
    { action: 'ec2:RegisterImage', why: 'copy-method snapshots: registers the promoted AMI from the snapshot copies' },
];
/**
 * The target's copy needs for a copy method: with snapshots, CopySnapshot and RegisterImage instead of CopyImage, and
 * no Allowed AMIs check (the registered AMI is the target's own, always allowed).
 */
function targetCopyNeeds(method = 'image') {
    if (method === 'image')
        return [...TARGET_EC2.copy];
    return [...TARGET_SNAPSHOT_COPY, ...TARGET_EC2.copy.filter((need) => need.action !== 'ec2:CopyImage' && need.action !== 'ec2:GetAllowedImagesSettings')];
}
// The source key and the target keys need EBS_KEY_USE and EBS_GRANT (the DescribeKey of EBS_KEY_USE also covers the
// role's own DescribeKey probe of the source key and the resolution of target-kms-key).
const AUTOSCALING_CHECK = {
    action: 'kms:GetKeyPolicy',
    why: "reads the key policy to check that Auto Scaling's service-linked role may use the key (unchecked without it)",
    optional: true,
};
/** The customer-managed target keys, for each autoscaling-access mode. */
const TARGET_AUTOSCALING = {
    off: [],
    check: [AUTOSCALING_CHECK],
    grant: [AUTOSCALING_CHECK, { action: 'kms:ListGrants', why: 'finds a grant the service-linked role already has' }],
};
/** autoscaling-access: grant — only for the service-linked role (condition kms:GranteePrincipal). */
const AUTOSCALING_GRANT = { action: 'kms:CreateGrant', why: 'grants the service-linked role use of the key' };
/**
 * What Auto Scaling's service-linked role uses a target key for, which its grant and key-policy statements must give
 * (kms:CreateGrant aside).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
 */
const AUTOSCALING_KEY_USE = [
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:DescribeKey',
];
/**
 * share-with: the target role lets the recipients launch each promoted AMI (launch permissions only: launching needs no
 * permission on the snapshots). Never undone by cleanup: the onward sharing is part of the result.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 */
const TARGET_SHARE_ONWARD = [
    { action: 'ec2:DescribeImageAttribute', why: 'share-with: reads who may already launch each promoted AMI' },
    { action: 'ec2:ModifyImageAttribute', why: 'share-with: lets the recipients launch each promoted AMI' },
];
/** share-with: on the customer-managed target keys. */
const TARGET_RECIPIENT_CHECK = {
    action: 'kms:GetKeyPolicy',
    why: 'share-with: reads the key policy to check that the recipients may use the key (unchecked without it)',
    optional: true,
};
/**
 * The concrete actions EC2 checks, on the recipient's behalf, on the key of the AMI's snapshots when a recipient launches
 * it: what EBS documents for encrypted volumes (kms:ReEncrypt as ReEncryptFrom and ReEncryptTo), CreateGrant for AWS
 * resources only.
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
const LAUNCH_KEY = [
    { action: 'kms:DescribeKey', why: 'EC2 checks the key of the volumes it creates from the snapshots' },
    { action: 'kms:Decrypt', why: 'EC2 decrypts the data keys of the snapshots' },
    { action: 'kms:GenerateDataKeyWithoutPlaintext', why: 'EC2 makes the data keys of the new volumes' },
    { action: 'kms:ReEncryptFrom', why: 'EC2 re-encrypts data keys from the key' },
    { action: 'kms:ReEncryptTo', why: 'EC2 re-encrypts data keys to the key' },
    EBS_GRANT,
];
/**
 * launch-template: a new version of each template with the promoted AMI of its account and region.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
const TARGET_LAUNCH_TEMPLATES = [
    { action: 'ec2:DescribeLaunchTemplates', why: 'launch-template: finds each template by name or ID, with its default version' },
    { action: 'ec2:DescribeLaunchTemplateVersions', why: 'launch-template: reads the default version; finds a version a run already made for the AMI' },
    { action: 'ec2:CreateLaunchTemplateVersion', why: 'launch-template: makes a version of the default version with only the AMI changed' },
];
/** launch-template-default: true. */
const TARGET_LAUNCH_TEMPLATE_DEFAULT = { action: 'ec2:ModifyLaunchTemplate', why: 'launch-template-default: makes that version the default' };
/**
 * retire-previous, by mode: finding what still uses an earlier promotion, then retiring it. DeregisterImage deletes
 * the snapshots in the same call (DeleteAssociatedSnapshots), which needs ec2:DeleteSnapshot on them.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html
 */
const RETIRE_REFERENCES = { action: 'ec2:DescribeImageReferences', why: 'retire-previous: finds instances, launch templates and parameters that still use an earlier promotion' };
const TARGET_RETIRE = {
    none: [],
    deprecate: [
        RETIRE_REFERENCES,
        { action: 'ec2:EnableImageDeprecation', why: 'retire-previous: deprecate — deprecates an earlier promotion' },
    ],
    disable: [
        RETIRE_REFERENCES,
        { action: 'ec2:DisableImage', why: 'retire-previous: disable — disables an earlier promotion' },
    ],
    deregister: [
        RETIRE_REFERENCES,
        { action: 'ec2:DeregisterImage', why: 'retire-previous: deregister — deregisters an earlier promotion' },
        { action: 'ec2:DeleteSnapshot', why: "retire-previous: deregister — deletes its snapshots in the same call" },
    ],
};
const TARGET_PUBLISH = { action: 'ssm:PutParameter', why: 'ssm-parameter: writes the promoted AMI id in each target region' };
/** On the role itself. */
const TARGET_SELF_SIMULATION = { action: 'iam:SimulatePrincipalPolicy', why: "the preflight simulates the role's own policies to report what is missing" };
// --- both sides ----------------------------------------------------------------------------------------
/** Not in the generated policies: without it, the error of a denied EC2 call says to allow it. */
const DIAGNOSIS = { action: 'sts:DecodeAuthorizationMessage', why: 'decodes the encoded message of a denied EC2 call', optional: true };
/**
 * Calls no policy can deny: "No permissions are required to perform this operation."
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
const NO_PERMISSION_NEEDED = (/* unused pure expression or super */ null && (['sts:GetCallerIdentity']));
/** Every action in this list, for the test that every call the action sends is in it. */
function everyAction() {
    const needs = [
        ...Object.values(SOURCE_EC2).flat(),
        ...Object.values(TARGET_EC2).flat(),
        ...TARGET_SNAPSHOT_COPY,
        ...EBS_KEY_USE,
        EBS_GRANT,
        ...SOURCE_KEY_CHECK,
        ...Object.values(SOURCE_KEY_ACCESS).flat(),
        ...SOURCE_GRANT_REMOVAL,
        SOURCE_KEY_GRANT,
        ...Object.values(TARGET_AUTOSCALING).flat(),
        AUTOSCALING_GRANT,
        TARGET_PUBLISH,
        TARGET_SELF_SIMULATION,
        ...TARGET_SHARE_ONWARD,
        TARGET_RECIPIENT_CHECK,
        ...TARGET_LAUNCH_TEMPLATES,
        TARGET_LAUNCH_TEMPLATE_DEFAULT,
        ...Object.values(TARGET_RETIRE).flat(),
        DIAGNOSIS,
    ];
    return [...actionsOf([...needs, ...COPY_READ_KEY, ...COPY_WRITE_KEY, ...LAUNCH_KEY]), ...NO_PERMISSION_NEEDED];
}

;// CONCATENATED MODULE: ./src/policy/wildcard.ts
/** Matches a policy pattern where `*` stands for any run of characters and `?` for one character. */
function matchesWildcard(pattern, value, ignoreCase) {
    const source = pattern
        .split('')
        .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
        .join('');
    return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}
function arnParts(arn) {
    const parts = arn.split(':');
    if (parts.length < 6 || parts[0] !== 'arn')
        return undefined;
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
}
/** ArnLike / ArnEquals: the six ARN fields are matched one by one, each with wildcards. */
function matchesArnPattern(pattern, arn) {
    const patternParts = arnParts(pattern);
    const arnFields = arnParts(arn);
    if (!patternParts || !arnFields)
        return false;
    return patternParts.every((part, index) => matchesWildcard(part, arnFields[index] ?? '', false));
}

;// CONCATENATED MODULE: ./src/policy/condition-operators.ts

function parseDate(value) {
    return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}
function numeric(parse, compare) {
    return (contextValue, policyValue) => {
        const a = parse(contextValue);
        const b = parse(policyValue);
        return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
    };
}
const parseNumber = (value) => (value.trim() === '' ? NaN : Number(value));
const equal = (a, b) => a === b;
const positive = (matches) => ({ negated: false, matches });
const negative = (matches) => ({ negated: true, matches });
const stringEquals = (c, p) => c === p;
const stringEqualsIgnoreCase = (c, p) => c.toLowerCase() === p.toLowerCase();
const stringLike = (c, p) => matchesWildcard(p, c, false);
const numericEquals = numeric(parseNumber, equal);
const dateEquals = numeric(parseDate, equal);
const arnLike = (c, p) => matchesArnPattern(p, c);
const OPERATORS = {
    stringequals: positive(stringEquals),
    stringnotequals: negative(stringEquals),
    stringequalsignorecase: positive(stringEqualsIgnoreCase),
    stringnotequalsignorecase: negative(stringEqualsIgnoreCase),
    stringlike: positive(stringLike),
    stringnotlike: negative(stringLike),
    numericequals: positive(numericEquals),
    numericnotequals: negative(numericEquals),
    numericlessthan: positive(numeric(parseNumber, (a, b) => a < b)),
    numericlessthanequals: positive(numeric(parseNumber, (a, b) => a <= b)),
    numericgreaterthan: positive(numeric(parseNumber, (a, b) => a > b)),
    numericgreaterthanequals: positive(numeric(parseNumber, (a, b) => a >= b)),
    dateequals: positive(dateEquals),
    datenotequals: negative(dateEquals),
    datelessthan: positive(numeric(parseDate, (a, b) => a < b)),
    datelessthanequals: positive(numeric(parseDate, (a, b) => a <= b)),
    dategreaterthan: positive(numeric(parseDate, (a, b) => a > b)),
    dategreaterthanequals: positive(numeric(parseDate, (a, b) => a >= b)),
    bool: positive(stringEqualsIgnoreCase),
    arnequals: positive(arnLike),
    arnlike: positive(arnLike),
    arnnotequals: negative(arnLike),
    arnnotlike: negative(arnLike),
};
/** Looks up a base operator by name, case-insensitively; undefined when it is not supported. */
function baseOperator(name) {
    return OPERATORS[name.toLowerCase()];
}

;// CONCATENATED MODULE: ./src/policy/request-context.ts
/**
 * Keys whose absence from a request context means they are absent from the real request: the caller
 * describes the request shape with kms:GrantIsForAWSResource (only on grant calls an AWS service
 * makes) and kms:ViaService (only on calls an AWS service makes on the principal's behalf). Any other
 * key missing from the context may well be in the real request (aws:SourceIp, aws:PrincipalOrgID, ...),
 * so a condition on it is unknown.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
const KEYS_KNOWN_WHEN_ABSENT = new Set(['kms:grantisforawsresource', 'kms:viaservice']);
/** A condition key the request may carry with a value that cannot be known here, and why. */
class UnknownValue {
    why;
    constructor(why) {
        this.why = why;
    }
}
const NOT_IN_CONTEXT = new UnknownValue('not in the request context');
/** Condition-key values of one request; condition keys are case-insensitive. */
class RequestContext {
    values = new Map();
    unknowable = new Map();
    /** `unknowable`: keys the real request may carry whose value cannot be known, each with the reason. */
    constructor(entries, unknowable = {}) {
        for (const [key, value] of Object.entries(entries)) {
            this.values.set(key.toLowerCase(), Array.isArray(value) ? value : [String(value)]);
        }
        for (const [key, why] of Object.entries(unknowable))
            this.unknowable.set(key.toLowerCase(), new UnknownValue(why));
    }
    /** The key's values, undefined when the request does not have the key, an UnknownValue when we cannot tell. */
    lookup(key) {
        const normalized = key.toLowerCase();
        const values = this.values.get(normalized);
        if (values !== undefined)
            return values;
        if (KEYS_KNOWN_WHEN_ABSENT.has(normalized))
            return undefined;
        return this.unknowable.get(normalized) ?? NOT_IN_CONTEXT;
    }
}

;// CONCATENATED MODULE: ./src/policy/conditions.ts


function parseOperator(name) {
    const qualified = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(name);
    const set = qualified ? (qualified[1]?.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues') : undefined;
    const rest = qualified?.[2] ?? name;
    const ifExists = /IfExists$/i.test(rest);
    const baseName = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
    if (baseName.toLowerCase() === 'null')
        return set || ifExists ? undefined : { kind: 'null' };
    const base = baseOperator(baseName);
    return base && { kind: 'values', set, ifExists, base };
}
function valuesMatch({ set, ifExists, base }, contextValues, policyValues) {
    if (contextValues === undefined && ifExists)
        return true;
    const values = contextValues ?? [];
    const matchesAny = (value) => policyValues.some((policyValue) => base.matches(value, policyValue));
    const holds = (value) => (base.negated ? !matchesAny(value) : matchesAny(value));
    if (set === 'ForAllValues')
        return values.every(holds);
    if (set === 'ForAnyValue')
        return values.some(holds);
    return base.negated ? !values.some(matchesAny) : values.some(matchesAny);
}
function conditionId(entry) {
    return `${entry.operator.toLowerCase()} ${entry.key.toLowerCase()} ${JSON.stringify(entry.values)}`;
}
function evaluateEntry(entry, context) {
    const check = { id: conditionId(entry), operator: entry.operator, key: entry.key, values: entry.values };
    const unknown = (reason) => ({ ...check, request: 'unknown', result: 'unknown', reason });
    const operator = parseOperator(entry.operator);
    if (!operator)
        return unknown(`condition operator ${entry.operator} (on ${entry.key}) is not supported`);
    if (entry.values.some((value) => value.includes('${')))
        return unknown(`condition ${entry.operator} on ${entry.key} uses a policy variable`);
    const contextValues = context.lookup(entry.key);
    if (contextValues instanceof UnknownValue)
        return unknown(`${entry.key}: ${contextValues.why}`);
    const matched = operator.kind === 'null'
        ? entry.values.some((value) => (value.toLowerCase() === 'true') === (contextValues === undefined))
        : valuesMatch(operator, contextValues, entry.values);
    return { ...check, request: contextValues ?? 'absent', result: matched ? 'match' : 'no-match' };
}
function assumed(check, assumptions) {
    const value = check.result === 'unknown' ? assumptions?.get(check.id) : undefined;
    return value === undefined ? check : { ...check, result: value ? 'match' : 'no-match' };
}
/** All conditions must match (AND); a definite mismatch outweighs an unknown one. */
function evaluateConditions(entries, context, assumptions) {
    const checks = entries.map((entry) => assumed(evaluateEntry(entry, context), assumptions));
    const result = checks.some((c) => c.result === 'no-match') ? 'no-match' : checks.some((c) => c.result === 'unknown') ? 'unknown' : 'match';
    return { result, checks };
}

;// CONCATENATED MODULE: ./src/policy/policy-document.ts
/** One element alone, several as a list (as IAM policies write them). */
function oneOrMany(list) {
    return list.length === 1 ? list[0] : list;
}
class PolicyFormatError extends Error {
    name = 'PolicyFormatError';
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function stringList(value, where) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((item) => typeof item === 'string')) {
        throw new PolicyFormatError(`${where} must be a string or an array of strings.`);
    }
    return list;
}
function elementList(statement, name, where) {
    const positive = statement[name];
    const negative = statement[`Not${name}`];
    if ((positive === undefined) === (negative === undefined)) {
        throw new PolicyFormatError(`${where} must have exactly one of ${name} and Not${name}.`);
    }
    const negated = positive === undefined;
    const label = `${where} ${negated ? 'Not' : ''}${name}`;
    return { negated, values: stringList(negated ? negative : positive, label) };
}
function principalList(statement, where) {
    const positive = statement.Principal;
    const negative = statement.NotPrincipal;
    if ((positive === undefined) === (negative === undefined)) {
        throw new PolicyFormatError(`${where} must have exactly one of Principal and NotPrincipal.`);
    }
    const negated = positive === undefined;
    const block = negated ? negative : positive;
    if (block === '*')
        return { negated, values: ['*'] };
    if (!isObject(block))
        throw new PolicyFormatError(`${where} Principal must be "*" or an object such as {"AWS": ...}.`);
    return { negated, values: block.AWS === undefined ? [] : stringList(block.AWS, `${where} Principal.AWS`) };
}
function conditionEntries(statement, where) {
    const block = statement.Condition;
    if (block === undefined)
        return [];
    if (!isObject(block))
        throw new PolicyFormatError(`${where} Condition must be an object.`);
    return Object.entries(block).flatMap(([operator, keys]) => {
        if (!isObject(keys))
            throw new PolicyFormatError(`${where} Condition.${operator} must be an object.`);
        return Object.entries(keys).map(([key, raw]) => {
            const list = Array.isArray(raw) ? raw : [raw];
            if (!list.every((item) => ['string', 'boolean', 'number'].includes(typeof item))) {
                throw new PolicyFormatError(`${where} Condition.${operator}.${key} must be strings, booleans or numbers.`);
            }
            return { operator, key, values: list.map(String) };
        });
    });
}
function normalizeStatement(raw, index) {
    const where = `Statement ${index}`;
    if (!isObject(raw))
        throw new PolicyFormatError(`${where} is not an object.`);
    if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
        throw new PolicyFormatError(`${where} Effect must be "Allow" or "Deny".`);
    }
    return {
        id: typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : `#${index}`,
        effect: raw.Effect,
        principals: principalList(raw, where),
        actions: elementList(raw, 'Action', where),
        resources: elementList(raw, 'Resource', where),
        conditions: conditionEntries(raw, where),
    };
}
/**
 * Parses a key policy as returned by GetKeyPolicy (a JSON string) or already parsed.
 * Statements are identified by Sid, or `#N` (their zero-based position) when they have none.
 */
function parseKeyPolicy(policy) {
    let document = policy;
    if (typeof policy === 'string') {
        try {
            document = JSON.parse(policy);
        }
        catch (error) {
            throw new PolicyFormatError(`The key policy is not JSON: ${error.message}`);
        }
    }
    if (!isObject(document) || document.Statement === undefined) {
        throw new PolicyFormatError('The key policy has no Statement.');
    }
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    return statements.map(normalizeStatement);
}

;// CONCATENATED MODULE: ./src/policy/principal-match.ts

function matchEntry(entry, principal) {
    if (entry === '*' || entry === principal.arn)
        return 'principal';
    const partition = principal.arn.split(':')[1] ?? 'aws';
    if (entry === principal.accountId || entry === (0,aws_arn/* accountRootArn */.hd)(partition, principal.accountId))
        return 'account';
    return undefined;
}
/**
 * The strongest way a Principal list names the requester. A NotPrincipal list applies to everyone it
 * does not name; naming the account also exempts every principal in it.
 */
function matchPrincipal(principals, principal) {
    const matches = principals.values.map((entry) => matchEntry(entry, principal));
    if (principals.negated)
        return matches.some(Boolean) ? undefined : 'principal';
    if (matches.includes('principal'))
        return 'principal';
    return matches.includes('account') ? 'account' : undefined;
}

;// CONCATENATED MODULE: ./src/policy/evaluate.ts






function listMatches(list, value, ignoreCase) {
    const named = list.values.some((pattern) => matchesWildcard(pattern, value, ignoreCase));
    return list.negated ? !named : named;
}
function requestContext(request) {
    return new RequestContext({
        ...request.context,
        'aws:PrincipalArn': request.principalArn,
        'aws:PrincipalAccount': request.principalAccount,
        'aws:PrincipalIsAWSService': false,
        'kms:CallerAccount': request.principalAccount,
    }, request.unknownKeys);
}
function keyAccount(resourceArn) {
    const key = (0,aws_arn/* parseKmsArn */.YP)(resourceArn);
    if (typeof key === 'string')
        throw new TypeError(`The resource ${resourceArn} is not a KMS key ARN: ${key}.`);
    return key.accountId;
}
function outcomes(statements, request) {
    const context = requestContext(request);
    const principal = { arn: request.principalArn, accountId: request.principalAccount };
    return statements.flatMap((statement) => {
        const principalMatch = matchPrincipal(statement.principals, principal);
        if (!principalMatch)
            return [];
        if (!listMatches(statement.actions, request.action, true))
            return [];
        if (!listMatches(statement.resources, request.resourceArn, false))
            return [];
        const { result, checks } = evaluateConditions(statement.conditions, context, request.assumptions);
        return [{ statement, principal: principalMatch, result, checks }];
    });
}
function ids(list) {
    return list.map(({ statement }) => statement.id);
}
function conditionsOf(list, keep = () => true) {
    return list.flatMap(({ statement, checks }) => checks.filter(keep).map((check) => ({ ...check, statement: statement.id })));
}
function unknown(list) {
    const conditions = conditionsOf(list, (check) => check.result === 'unknown');
    return {
        decision: 'unknown',
        needsIdentityPolicy: false,
        statements: ids(list),
        unknownReasons: conditions.map(({ statement, reason }) => `${statement}: ${reason ?? ''}`),
        conditions,
    };
}
/**
 * Evaluates a KMS key policy, on its own, for one request. An explicit Deny wins; a Deny whose
 * conditions cannot be evaluated makes the decision unknown even when an Allow applies.
 */
function evaluateKeyPolicy(policy, request) {
    const crossAccount = keyAccount(request.resourceArn) !== request.principalAccount;
    const applicable = outcomes(parseKeyPolicy(policy), request);
    const by = (effect, result) => applicable.filter((outcome) => outcome.statement.effect === effect && outcome.result === result);
    const denies = by('Deny', 'match');
    if (denies.length > 0) {
        return { decision: 'explicit-deny', needsIdentityPolicy: false, statements: ids(denies), unknownReasons: [], conditions: conditionsOf(denies) };
    }
    const unknownDenies = by('Deny', 'unknown');
    if (unknownDenies.length > 0)
        return unknown(unknownDenies);
    const allows = by('Allow', 'match');
    if (allows.length > 0) {
        const allowedBy = allows.some((outcome) => outcome.principal === 'principal') ? 'principal' : 'account';
        return {
            decision: 'allow',
            allowedBy,
            needsIdentityPolicy: crossAccount || allowedBy === 'account',
            statements: ids(allows),
            unknownReasons: [],
            conditions: conditionsOf(allows),
        };
    }
    const unknownAllows = by('Allow', 'unknown');
    if (unknownAllows.length > 0)
        return unknown(unknownAllows);
    const excluded = conditionsOf(by('Allow', 'no-match'), (check) => check.result === 'no-match');
    return { decision: 'implicit-deny', needsIdentityPolicy: false, statements: [], unknownReasons: [], conditions: excluded };
}

;// CONCATENATED MODULE: ./src/policy/key-policy-statements.ts


function autoScalingServiceLinkedRoleArn(partition, accountId) {
    return `arn:${partition}:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}
/** Statement ids carry the target account so that several target accounts can share one key. */
function targetRoleKeyStatements(targetRoleArn, targetAccountId) {
    return [
        {
            Sid: `AllowUseOfTheKeyForAmiPromotion${targetAccountId}`,
            Effect: 'Allow',
            Principal: { AWS: targetRoleArn },
            Action: sortedActions(EBS_KEY_USE),
            Resource: '*',
        },
        {
            Sid: `AllowAttachmentOfPersistentResourcesForAmiPromotion${targetAccountId}`,
            Effect: 'Allow',
            Principal: { AWS: targetRoleArn },
            Action: [EBS_GRANT.action],
            Resource: '*',
            Condition: GRANT_FOR_AWS_RESOURCE,
        },
    ];
}
const KEY_USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
/** Auto Scaling's key-policy statements when the key is in the Auto Scaling group's own account (seed 003, example 1). */
function autoScalingKeyStatements(partition, accountId) {
    const role = autoScalingServiceLinkedRoleArn(partition, accountId);
    return [
        {
            Sid: 'AllowServiceLinkedRoleUseOfTheCustomerManagedKey',
            Effect: 'Allow',
            Principal: { AWS: role },
            Action: KEY_USE_ACTIONS,
            Resource: '*',
        },
        {
            Sid: 'AllowServiceLinkedRoleAttachmentOfPersistentResources',
            Effect: 'Allow',
            Principal: { AWS: role },
            Action: ['kms:CreateGrant'],
            Resource: '*',
            Condition: GRANT_FOR_AWS_RESOURCE,
        },
    ];
}
/**
 * Auto Scaling's key-policy statements when the key is in another account (seed 003, example 2): the
 * key policy allows the account, which then creates a grant for its service-linked role itself.
 */
function autoScalingExternalAccountKeyStatements(partition, accountId) {
    const root = (0,aws_arn/* accountRootArn */.hd)(partition, accountId);
    return [
        {
            Sid: `AllowExternalAccount${accountId}UseOfTheCustomerManagedKey`,
            Effect: 'Allow',
            Principal: { AWS: root },
            Action: KEY_USE_ACTIONS,
            Resource: '*',
        },
        {
            Sid: `AllowAttachmentOfPersistentResourcesInExternalAccount${accountId}`,
            Effect: 'Allow',
            Principal: { AWS: root },
            Action: ['kms:CreateGrant'],
            Resource: '*',
        },
    ];
}
/**
 * aws:PrincipalOrgPaths pattern of every account in an OU or below it, wherever the OU sits in the organization: the
 * paths are o-ORG/r-ROOT/ou-…/…/, one OU ID per level.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
function ouPathPattern(organizationId, ouId) {
    return `${organizationId}/*/${ouId}/*`;
}
/**
 * Who a recipient's statements name: an account by its root (its IAM policies decide who in it may use the key); an
 * organization or OU as every principal ("*") whose account is in it (aws:PrincipalOrgID, aws:PrincipalOrgPaths).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html
 */
function recipientScope(recipient, partition) {
    if (recipient.kind === 'account')
        return { principal: { AWS: (0,aws_arn/* accountRootArn */.hd)(partition, recipient.accountId) }, condition: {}, name: recipient.accountId };
    const organization = { StringEquals: { 'aws:PrincipalOrgID': recipient.organizationId } };
    if (recipient.kind === 'organization')
        return { principal: '*', condition: organization, name: recipient.organizationId };
    return {
        principal: '*',
        condition: { ...organization, 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ouPathPattern(recipient.organizationId, recipient.ouId) } },
        name: recipient.ouId,
    };
}
/**
 * The target key-policy statements that let a recipient of the shared AMI launch it: EBS's key use, and grants for
 * the volumes EC2 creates. Statement ids carry the recipient (letters and digits only).
 */
function recipientKeyStatements(recipient, partition) {
    const { principal, condition, name } = recipientScope(recipient, partition);
    const id = name.replace(/[^A-Za-z0-9]/g, '');
    const scoped = Object.keys(condition).length > 0 ? { Condition: condition } : {};
    return [
        { Sid: `AllowLaunchOfTheSharedAmiBy${id}`, Effect: 'Allow', Principal: principal, Action: sortedActions(EBS_KEY_USE), Resource: '*', ...scoped },
        {
            Sid: `AllowAttachmentOfPersistentResourcesForTheSharedAmiBy${id}`,
            Effect: 'Allow',
            Principal: principal,
            Action: [EBS_GRANT.action],
            Resource: '*',
            Condition: { ...condition, ...GRANT_FOR_AWS_RESOURCE },
        },
    ];
}

;// CONCATENATED MODULE: ./src/policy/key-access-check.ts




function key_access_check_status(evaluation, accountIsEnough) {
    switch (evaluation.decision) {
        case 'allow':
            return accountIsEnough || evaluation.allowedBy === 'principal' ? 'ok' : 'missing';
        case 'implicit-deny':
            return 'missing';
        default:
            return evaluation.decision;
    }
}
/** Unknown when the two possible requests are decided differently. */
function eitherOf(first, second, reason) {
    if (first.decision === second.decision)
        return first;
    return {
        decision: 'unknown',
        needsIdentityPolicy: false,
        statements: [...new Set([...first.statements, ...second.statements])],
        unknownReasons: [reason],
        conditions: [...first.conditions, ...second.conditions],
    };
}
function evaluateRequired(check, { action, context }) {
    const request = {
        principalArn: check.principalArn,
        principalAccount: check.principalAccount,
        action,
        resourceArn: check.keyArn,
        context,
        unknownKeys: check.unknownKeys,
        assumptions: check.assumptions,
    };
    const evaluation = evaluateKeyPolicy(check.policy, request);
    if (!check.otherVia || context['kms:ViaService'] === undefined)
        return evaluation;
    const other = evaluateKeyPolicy(check.policy, { ...request, context: { ...context, 'kms:ViaService': check.otherVia.value } });
    return eitherOf(evaluation, other, check.otherVia.reason);
}
function runCheck(check) {
    const results = check.required.map((required) => {
        const evaluation = evaluateRequired(check, required);
        return { grantedBy: required.grantedBy, access: { action: required.action, status: key_access_check_status(evaluation, check.accountIsEnough), evaluation } };
    });
    const missing = new Set(results.filter(({ access }) => access.status === 'missing').map(({ grantedBy }) => grantedBy));
    const actions = results.map(({ access }) => access);
    return {
        principalArn: check.principalArn,
        ok: actions.every((access) => access.status === 'ok'),
        actions,
        needsIdentityPolicy: actions.some((access) => access.status === 'ok' && access.evaluation.needsIdentityPolicy),
        statementsToAdd: check.statements.filter((_, index) => missing.has(index)),
    };
}
function parseKeyArn(keyArn) {
    const key = (0,aws_arn/* parseKmsArn */.YP)(keyArn);
    if (typeof key === 'string')
        throw new TypeError(`${keyArn} is not a KMS key ARN: ${key}.`);
    return key;
}
const ec2Via = (region) => ({ 'kms:ViaService': ec2ViaService(region) });
function parseTargetRole(roleArn) {
    const role = (0,aws_arn/* parseRoleArn */.DM)(roleArn);
    if (typeof role === 'string')
        throw new TypeError(`${roleArn} is not a role ARN: ${role}.`);
    return role;
}
/**
 * What the source account cannot know about a role of another account: its organization
 * (aws:PrincipalOrgID, aws:PrincipalOrgPaths are in the request only when the account belongs to one).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
function organizationUnknowns(accountId) {
    return {
        'aws:PrincipalOrgID': `the organization of account ${accountId} cannot be read from the source account`,
        'aws:PrincipalOrgPaths': `the organizational units of account ${accountId} cannot be read from the source account`,
    };
}
/**
 * For a copy into another region than the key's, AWS does not document which EC2 endpoint calls the source
 * key (kms:ViaService): the key's region (as AWS's own aws/ebs policies, which allow only their own region's
 * EC2, suggest) or the copy's. Both are evaluated; a key policy that decides them differently is unknown.
 */
function otherViaFor(keyRegion, copyRegion) {
    if (keyRegion === copyRegion)
        return undefined;
    const [key, copy] = [ec2ViaService(keyRegion), ec2ViaService(copyRegion)];
    return {
        value: key,
        reason: `kms:ViaService: for a copy into ${copyRegion} of snapshots under a key in ${keyRegion}, AWS does not document whether EC2 calls the key as ${key} or ${copy}, and the key policy allows only one of them`,
    };
}
/**
 * EC2's calls on a principal's behalf for EBS, with their context: CreateGrant for an AWS resource. The first
 * statement of the matching statement pair (targetRoleKeyStatements, recipientKeyStatements) allows the key use, the
 * second EC2's grants.
 */
function ebsRequests(needs, via) {
    return needs.map((need) => need === EBS_GRANT ? { action: need.action, context: { ...via, 'kms:GrantIsForAWSResource': true }, grantedBy: 1 } : { action: need.action, context: via, grantedBy: 0 });
}
/**
 * Whether the key policy lets the target role copy AMIs encrypted under the key across accounts:
 * EC2, on the role's behalf, describes the key, decrypts and re-encrypts from it, and creates grants
 * for the copied snapshots. Those calls carry kms:ViaService (EC2's endpoint) and kms:CallerAccount (the
 * role's account); the role's organization is unknown.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
function checkTargetCopyAccess(policy, { keyArn, roleArn, region, assumptions }) {
    const role = parseTargetRole(roleArn);
    const via = ec2Via(region);
    return runCheck({
        policy,
        principalArn: roleArn,
        principalAccount: role.accountId,
        keyArn,
        unknownKeys: organizationUnknowns(role.accountId),
        assumptions,
        otherVia: otherViaFor(parseKeyArn(keyArn).region, region),
        required: ebsRequests(COPY_READ_KEY, via),
        accountIsEnough: true,
        statements: targetRoleKeyStatements(roleArn, role.accountId),
    });
}
/**
 * The key policy's decision for a DescribeKey the target role makes itself (the preflight's probe): a
 * direct call carries no kms:ViaService.
 */
function checkDirectDescribeKey(policy, { keyArn, roleArn, assumptions }) {
    const role = parseTargetRole(roleArn);
    return evaluateKeyPolicy(policy, {
        principalArn: roleArn,
        principalAccount: role.accountId,
        action: 'kms:DescribeKey',
        resourceArn: keyArn,
        unknownKeys: organizationUnknowns(role.accountId),
        assumptions,
    });
}
/**
 * Whether Auto Scaling can launch instances with volumes encrypted under the key (seed 003). In the
 * key's own account the key policy must name the service-linked role, whose IAM policy cannot be
 * changed; from another account the key policy allows that account, which creates a grant for its
 * service-linked role with a direct (not AWS-resource) CreateGrant call.
 */
function checkServiceLinkedRoleAccess(policy, { keyArn, accountId, partition }) {
    const key = parseKeyArn(keyArn);
    const crossAccount = key.accountId !== accountId;
    const via = ec2Via(key.region);
    const report = runCheck({
        policy,
        principalArn: autoScalingServiceLinkedRoleArn(partition, accountId),
        principalAccount: accountId,
        keyArn,
        required: [
            ...AUTOSCALING_KEY_USE.map((action) => ({ action, context: via, grantedBy: 0 })),
            { action: 'kms:CreateGrant', context: crossAccount ? {} : { ...via, 'kms:GrantIsForAWSResource': true }, grantedBy: 1 },
        ],
        accountIsEnough: crossAccount,
        statements: crossAccount ? autoScalingExternalAccountKeyStatements(partition, accountId) : autoScalingKeyStatements(partition, accountId),
    });
    return { ...report, grantRequired: crossAccount };
}

;// CONCATENATED MODULE: ./src/domain/preflight/target-key-policy.ts



/**
 * The key policy of a target key, read with the target role, or the `unchecked` finding of a check that needs it.
 * Only checks need it: whatever stops the read is reported, never a reason to end the preflight with a bare SDK error.
 * `alternative` ends the fix: what else the user may do.
 */
async function readTargetKeyPolicy(ctx, key, check, alternative) {
    try {
        return (await ctx.target.kms(key.region).send(new client_kms_dist_cjs/* GetKeyPolicyCommand */.$r8({ KeyId: key.arn, PolicyName: 'default' }))).Policy ?? '{}';
    }
    catch (error) {
        const unchecked = { check, side: 'target', status: 'unchecked', detail: '' };
        if (!(0,classify/* isAccessDenied */.w7)(error))
            return { ...unchecked, detail: `the key policy of ${key.arn} could not be read (${(0,errors/* errorName */.Is)(error) || 'error'}: ${(0,errors/* errorMessage */.gJ)(error)}).` };
        return {
            ...unchecked,
            detail: `the target role may not read the key policy of ${key.arn} (kms:GetKeyPolicy).`,
            fix: `Allow kms:GetKeyPolicy on ${key.arn} to ${ctx.target.spec.role.arn}, ${alternative}.`,
        };
    }
}

;// CONCATENATED MODULE: ./src/domain/preflight/autoscaling.ts







const SLR_OPERATIONS = grantOperations([...AUTOSCALING_KEY_USE, AUTOSCALING_GRANT.action]);
function check(key) {
    return `Auto Scaling can use the target key in ${key.region}`;
}
/**
 * Whether the target account's Auto Scaling service-linked role may use the customer-managed target
 * key (seed 003): without it, Auto Scaling groups fail to launch instances from the promoted AMI.
 */
async function checkAutoscalingAccess(ctx, key) {
    if (!key.arn || key.keyManager !== 'CUSTOMER')
        return undefined;
    const { partition } = ctx.target.spec.role;
    const accountId = ctx.target.identity.accountId;
    const policy = await readTargetKeyPolicy(ctx, { region: key.region, arn: key.arn }, check(key), 'or set autoscaling-access: off');
    if (typeof policy !== 'string')
        return policy;
    const report = checkServiceLinkedRoleAccess(policy, { keyArn: key.arn, accountId, partition });
    if (report.ok && !report.grantRequired)
        return { check: check(key), side: 'target', status: 'ok', detail: `${autoScalingServiceLinkedRoleArn(partition, accountId)} may use ${key.arn}.` };
    return {
        check: check(key),
        side: 'target',
        status: 'warning',
        detail: `the key policy of ${key.arn} does not let ${autoScalingServiceLinkedRoleArn(partition, accountId)} use the key; Auto Scaling groups will fail to launch instances from the promoted AMI.`,
        fix: `Add these statements to the key policy of ${key.arn}:\n${JSON.stringify(report.statementsToAdd, null, 2)}\nor set autoscaling-access: grant to have the action create a grant for the role.`,
    };
}
/** autoscaling-access: grant — a lasting grant on the target key for the service-linked role, created once. */
async function grantAutoscalingAccess(ctx, key) {
    if (!key.arn || key.keyManager !== 'CUSTOMER')
        return undefined;
    const keyArn = key.arn;
    const grantee = autoScalingServiceLinkedRoleArn(ctx.target.spec.role.partition, ctx.target.identity.accountId);
    const site = { ...siteOf(ctx.target, key.region), resource: keyArn };
    const kms = ctx.target.kms(key.region);
    const name = 'promote-ami-autoscaling';
    const existing = await (0,explain/* call */.T1)({ ...site, what: `Listing the grants of ${keyArn}`, action: 'kms:ListGrants' }, () => kms.send(new client_kms_dist_cjs/* ListGrantsCommand */.F9r({ KeyId: keyArn, GranteePrincipal: grantee })));
    if (existing.Grants?.some((g) => g.GranteePrincipal === grantee && SLR_OPERATIONS.every((op) => g.Operations?.includes(op)))) {
        ctx.log.info(`${grantee} already has a grant on ${keyArn}.`);
        return undefined;
    }
    await (0,explain/* call */.T1)({ ...site, what: `Granting ${grantee} use of ${keyArn}`, action: 'kms:CreateGrant' }, () => kms.send(new client_kms_dist_cjs/* CreateGrantCommand */.Y_D({ KeyId: keyArn, GranteePrincipal: grantee, Operations: SLR_OPERATIONS, Name: name })));
    const change = `grant ${name} on ${keyArn} for ${grantee} (kept: Auto Scaling needs it to launch the AMI)`;
    ctx.log.info(`Created ${change}.`);
    return change;
}

;// CONCATENATED MODULE: ./src/domain/preflight/findings.ts
/** "source account 111122223333". */
function findingPlace(finding) {
    return `${finding.side} account${finding.accountId ? ` ${finding.accountId}` : ''}`;
}
function formatFinding(finding) {
    return `[${finding.status}] ${finding.check} (${findingPlace(finding)}): ${finding.detail}${finding.fix ? `\n  Fix: ${finding.fix}` : ''}`;
}
/** Findings that each name their account, by side (a finding that names one already keeps it). */
function placed(accounts, findings) {
    return findings.map((finding) => (finding.accountId || !accounts[finding.side] ? finding : { ...finding, accountId: accounts[finding.side] }));
}

;// CONCATENATED MODULE: ./src/domain/lookups/launch-templates.ts





/** The launch-template input accepts only IDs of the form lt- and 17 hexadecimal digits, and no name starting with lt-. */
function isLaunchTemplateId(nameOrId) {
    return nameOrId.startsWith('lt-');
}
/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html */
const MALFORMED = new Set(['InvalidLaunchTemplateId.Malformed', 'InvalidLaunchTemplateName.MalformedException']);
function missingTemplate(ctx, region, nameOrId, error) {
    const account = ctx.target.identity.accountId;
    const kind = isLaunchTemplateId(nameOrId) ? 'ID' : 'name';
    const why = MALFORMED.has((0,errors/* errorName */.Is)(error))
        ? `"${nameOrId}" is not a valid launch template ${kind} (${(0,errors/* errorName */.Is)(error)}: ${(0,errors/* errorMessage */.gJ)(error)}).`
        : `account ${account} has no launch template with the ${kind} ${nameOrId} in ${region}${error ? ` (${(0,errors/* errorName */.Is)(error)})` : ''}. Launch templates are regional: each target region needs its own.`;
    const byId = kind === 'ID' ? ' A launch template ID names a template of one region only: with several target regions, name the template by its name (the same in every region).' : '';
    return new errors/* PromotionError */.g1({
        what: `Finding the launch template ${nameOrId}`,
        ...siteOf(ctx.target, region),
        why,
        fix: `Create the launch template ${nameOrId} in ${region} of account ${account}, or remove it from launch-template, or check that ${region} belongs in target-regions.${byId}`,
        cause: error,
    });
}
/**
 * A launch template by name or ID (lt-…), with its default and latest version. DescribeLaunchTemplates answers a name
 * or ID that does not exist with InvalidLaunchTemplateName.NotFoundException or InvalidLaunchTemplateId.NotFound (an
 * empty answer is taken the same way). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html
 */
async function findLaunchTemplate(ctx, region, nameOrId) {
    const input = isLaunchTemplateId(nameOrId) ? { LaunchTemplateIds: [nameOrId] } : { LaunchTemplateNames: [nameOrId] };
    let found;
    try {
        found = (await ctx.target.ec2(region).send(new dist_cjs/* DescribeLaunchTemplatesCommand */.fmI(input))).LaunchTemplates?.[0];
    }
    catch (error) {
        if ((0,classify/* isNotFound */.c4)(error, 'launchTemplate') || MALFORMED.has((0,errors/* errorName */.Is)(error)))
            throw missingTemplate(ctx, region, nameOrId, error);
        throw (0,explain/* explainAwsError */.Ni)(error, { ...siteOf(ctx.target, region), what: `Finding the launch template ${nameOrId}`, action: 'ec2:DescribeLaunchTemplates' });
    }
    if (!found?.LaunchTemplateId)
        throw missingTemplate(ctx, region, nameOrId);
    return {
        templateId: found.LaunchTemplateId,
        templateName: found.LaunchTemplateName ?? nameOrId,
        defaultVersion: found.DefaultVersionNumber ?? 1,
        latestVersion: found.LatestVersionNumber ?? 1,
    };
}
function templateLabel(template) {
    return `${template.templateId} (${template.templateName})`;
}
/**
 * The launch parameters of the template's default version. An ImageId given as an SSM parameter reads
 * "resolve:ssm:…" unless ResolveAlias is asked for.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ResponseLaunchTemplateData.html
 */
async function defaultVersionData(ctx, region, template) {
    const site = { ...siteOf(ctx.target, region), what: `Reading version ${template.defaultVersion} of the launch template ${templateLabel(template)}`, action: 'ec2:DescribeLaunchTemplateVersions' };
    const response = await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* DescribeLaunchTemplateVersionsCommand */.Ptd({ LaunchTemplateId: template.templateId, Versions: [String(template.defaultVersion)] })));
    return response.LaunchTemplateVersions?.[0]?.LaunchTemplateData ?? {};
}
/**
 * A version of the template whose ImageId is this AMI (filter image-id), for a promotion run again: the default
 * version, else the newest one after the default. An older version with the AMI is not taken: making it the default
 * would undo the changes made since.
 */
async function versionWithImage(ctx, region, template, imageId) {
    const site = { ...siteOf(ctx.target, region), what: `Looking for a version of the launch template ${templateLabel(template)} with ${imageId}`, action: 'ec2:DescribeLaunchTemplateVersions' };
    const versions = await (0,explain/* call */.T1)(site, async () => {
        const found = [];
        const pages = (0,dist_cjs/* paginateDescribeLaunchTemplateVersions */.ZY3)({ client: ctx.target.ec2(region) }, { LaunchTemplateId: template.templateId, Filters: [{ Name: 'image-id', Values: [imageId] }] });
        for await (const page of pages) {
            for (const v of page.LaunchTemplateVersions ?? []) {
                if (v.VersionNumber !== undefined && v.LaunchTemplateData?.ImageId === imageId)
                    found.push({ version: v.VersionNumber, isDefault: v.DefaultVersion === true });
            }
        }
        return found;
    });
    const usable = versions.filter((v) => v.isDefault || v.version > template.defaultVersion);
    return usable.find((v) => v.isDefault) ?? usable.sort((a, b) => b.version - a.version)[0];
}

;// CONCATENATED MODULE: ./src/domain/preflight/preflight-finding.ts

/** A `missing` finding with the refusal that says where: the side's account and region. */
function missingFinding(check, details) {
    return { check, side: details.side ?? 'source', accountId: details.accountId, status: 'missing', detail: details.why, fix: details.fix, error: new errors/* PromotionError */.g1({ what: check, ...details }) };
}
/** Runs a check; a PromotionError becomes a `missing` finding instead of ending the preflight. */
async function attempt(findings, check, side, fn) {
    try {
        return await fn();
    }
    catch (error) {
        if (!(error instanceof errors/* PromotionError */.g1))
            throw error;
        findings.push({ check, side: error.details.side ?? side, accountId: error.details.accountId, status: 'missing', detail: error.details.why, fix: error.details.fix, error });
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/domain/preflight/launch-template-findings.ts


function launchTemplateCheck(nameOrId, region) {
    return `The launch template ${nameOrId} can get a version with the promoted AMI in ${region}`;
}
const SSM_REFERENCE = 'resolve:ssm:';
/**
 * A default version that takes its AMI from an SSM parameter ("resolve:ssm:…") follows the parameter; the new version
 * holds the AMI ID itself. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html#use-an-ssm-parameter-instead-of-an-ami-id
 */
function ssmWarning(ctx, check, template, data) {
    const reference = data.ImageId;
    if (!reference?.startsWith(SSM_REFERENCE))
        return undefined;
    return {
        check,
        side: 'target',
        status: 'warning',
        detail: `version ${template.defaultVersion} of ${templateLabel(template)} takes its AMI from the SSM parameter ${reference.slice(SSM_REFERENCE.length)} (${reference}); the new version will hold the promoted AMI's ID itself instead and no longer follow the parameter.`,
        fix: ctx.request.ssmParameter
            ? `To keep the template following the parameter, remove ${template.templateName} from launch-template: ssm-parameter already writes the promoted AMI's ID to ${ctx.request.ssmParameter}.`
            : `To keep the template following the parameter, remove ${template.templateName} from launch-template and set ssm-parameter to that parameter's name: the action then writes the promoted AMI's ID to it.`,
    };
}
/**
 * "Snapshots applied to the block device mapping are ignored when creating a new version unless they are explicitly
 * included." https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
function snapshotWarning(check, template, data) {
    const snapshots = (data.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [`${m.DeviceName ?? '?'}: ${m.Ebs.SnapshotId}`] : []));
    if (snapshots.length === 0)
        return undefined;
    return {
        check,
        side: 'target',
        status: 'warning',
        detail: `version ${template.defaultVersion} of ${templateLabel(template)} maps volumes from snapshots (${snapshots.join(', ')}); CreateLaunchTemplateVersion does not carry snapshots over to a new version unless they are given again, so the new version's volumes will not come from them.`,
        fix: `If those volumes must be made from the snapshots, give the mappings again in a version made by hand from the new one, or put the snapshots in the AMI's own block device mappings instead.`,
    };
}
async function templateFindings(ctx, nameOrId, region) {
    const check = launchTemplateCheck(nameOrId, region);
    const findings = [];
    const template = await attempt(findings, check, 'target', () => findLaunchTemplate(ctx, region, nameOrId));
    const data = template && (await attempt(findings, check, 'target', () => defaultVersionData(ctx, region, template)));
    if (!template || !data)
        return findings;
    const makeDefault = ctx.request.launchTemplateDefault ? ' (and made the default)' : '';
    findings.push({
        check,
        side: 'target',
        status: 'ok',
        detail: `${templateLabel(template)} in ${region}: default version ${template.defaultVersion}; a new version with the promoted AMI will be made${makeDefault}.`,
    });
    return [...findings, ...[ssmWarning(ctx, check, template, data), snapshotWarning(check, template, data)].filter((f) => f !== undefined)];
}
/**
 * launch-template: every template must exist in every region of the target account, and the target role must be able
 * to read it. A missing template or a denied read is `missing`, with the fix.
 */
async function launchTemplateFindings(ctx) {
    const { regions } = ctx.target.spec;
    const checks = ctx.request.launchTemplates.flatMap((nameOrId) => regions.map((region) => templateFindings(ctx, nameOrId, region)));
    return (await Promise.all(checks)).flat();
}

;// CONCATENATED MODULE: ./src/domain/preflight/name-check.ts





function nameCheck(region) {
    return `The AMI name is free in ${region}`;
}
/** Why an AMI of the target account carrying this source's provenance is not reused; undefined for any other AMI. */
function notReusedBecause(ctx, image, key) {
    const tags = image.Tags;
    if ((0,domain_tags/* tagValue */.EZ)(tags, domain_tags/* TAG */.Dk.role) !== domain_tags/* ROLE_PROMOTED */.qZ || (0,domain_tags/* tagValue */.EZ)(tags, domain_tags/* TAG */.Dk.sourceAmiId) !== ctx.request.sourceAmiId)
        return undefined;
    const label = (0,domain_tags/* tagValue */.EZ)(tags, domain_tags/* TAG */.Dk.kmsKey);
    if (label !== key.label)
        return `it is a promotion of the same source AMI under another key (${label ?? 'none'}), so it is not reused`;
    if ((0,domain_tags/* tagValue */.EZ)(tags, domain_tags/* TAG */.Dk.sourceRegion) !== ctx.request.sourceRegion)
        return 'it is a promotion of an AMI with the same ID from another region, so it is not reused';
    return `it is a promotion of the same source AMI that is ${image.State ?? 'not available'}, so it is not reused`;
}
/**
 * CopyImage fails with InvalidAMIName.Duplicate when the account already owns an AMI of that name in the region
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). The lookup runs only in regions
 * without a reusable earlier promotion, and includes disabled AMIs, which DescribeImages leaves out by default but
 * which still hold their names (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
 */
async function nameFinding(ctx, key, name) {
    const { region } = key;
    const site = siteOf(ctx.target, region);
    const account = ctx.target.identity.accountId;
    const response = await (0,explain/* call */.T1)({ what: `Looking for an AMI named "${name}"`, ...site, action: 'ec2:DescribeImages' }, () => ctx.target.ec2(region).send(new dist_cjs/* DescribeImagesCommand */.ji5({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }], IncludeDisabled: true })));
    const holder = response.Images?.find((image) => image.ImageId && image.Name === name);
    if (!holder)
        return { check: nameCheck(region), side: 'target', status: 'ok', detail: `account ${account} has no AMI named "${name}" in ${region}.` };
    const because = notReusedBecause(ctx, holder, key);
    return missingFinding(nameCheck(region), {
        ...site,
        why: `account ${account} already has ${holder.ImageId} named "${name}" in ${region}${because ? ` (${because})` : ''}; AMI names are unique per account and region, so CopyImage would fail with InvalidAMIName.Duplicate.`,
        fix: `Set the ami-name input to a name not used yet, for example with the release number in it (ami-name: ${name}-\${{ github.run_number }}), or deregister ${holder.ImageId} in ${region} of account ${account} if it is no longer needed.`,
    });
}

;// CONCATENATED MODULE: ./src/domain/lookups/earlier-promotions.ts




/** The DescribeImages filters of the promoted AMIs of a lineage. */
function lineageFilters(lineage) {
    return [
        { Name: `tag:${domain_tags/* TAG */.Dk.role}`, Values: [domain_tags/* ROLE_PROMOTED */.qZ] },
        { Name: `tag:${domain_tags/* TAG */.Dk.lineage}`, Values: [lineage] },
    ];
}
/** Whether an image is the account's own promotion of the lineage, by its own tags: a filter alone is not trusted. */
function isPromotionOf(image, lineage, accountId) {
    return (Boolean(image.ImageId) &&
        image.OwnerId === accountId &&
        (0,domain_tags/* tagValue */.EZ)(image.Tags, domain_tags/* TAG */.Dk.role) === domain_tags/* ROLE_PROMOTED */.qZ &&
        (0,domain_tags/* tagValue */.EZ)(image.Tags, domain_tags/* TAG */.Dk.lineage) === lineage);
}
function toPromotion(image) {
    return {
        imageId: image.ImageId,
        name: image.Name ?? '',
        creationDate: image.CreationDate ?? '',
        state: image.State ?? 'unknown',
        ...(image.DeprecationTime ? { deprecationTime: image.DeprecationTime } : {}),
        ...(image.LastLaunchedTime ? { lastLaunchedTime: image.LastLaunchedTime } : {}),
        ...(image.DeregistrationProtection ? { deregistrationProtection: image.DeregistrationProtection } : {}),
    };
}
const created = (promotion) => Date.parse(promotion.creationDate) || 0;
/**
 * Every AMI the target account owns in `region` that carries the provenance of the lineage, newest first (by
 * CreationDate), disabled and deprecated ones included: a disabled AMI appears in DescribeImages only with
 * IncludeDisabled (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html), a deprecated one is
 * left out for other accounts without IncludeDeprecated (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html).
 * An AMI deregistered a moment ago may still be listed, with state `deregistered`: it is left out.
 */
async function findEarlierPromotions(ctx, region, lineage) {
    const site = { what: `Looking for earlier promotions of the lineage ${lineage}`, ...siteOf(ctx.target, region), action: 'ec2:DescribeImages' };
    const images = [];
    let token;
    do {
        const input = { Owners: ['self'], Filters: lineageFilters(lineage), IncludeDisabled: true, IncludeDeprecated: true, ...(token ? { NextToken: token } : {}) };
        const response = await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* DescribeImagesCommand */.ji5(input)));
        images.push(...(response.Images ?? []));
        token = response.NextToken;
    } while (token);
    const accountId = ctx.target.identity.accountId;
    return images
        .flatMap((image) => (isPromotionOf(image, lineage, accountId) && image.State !== 'deregistered' ? [toPromotion(image)] : []))
        .sort((a, b) => created(b) - created(a) || a.imageId.localeCompare(b.imageId));
}

;// CONCATENATED MODULE: ./src/domain/lookups/image-references.ts




/**
 * DescribeImageReferences takes 1 to 10 image IDs a call.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageReferences.html
 */
const IMAGE_REFERENCES_BATCH = 10;
/**
 * How many of a launch template's most recent versions AWS checks when version-depth is not given (1 to 10000, default
 * 10). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ResourceTypeOption.html
 */
const LAUNCH_TEMPLATE_VERSION_DEPTH = 10;
/**
 * What is checked: instances in every state but terminated (state-name defaults to all states), launch templates at
 * AWS's default version depth, SSM parameters, Image Builder image and container recipes.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-ami-references.html
 */
const REFERENCE_TYPES = [
    {
        ResourceType: 'ec2:Instance',
        ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] }],
    },
    { ResourceType: 'ec2:LaunchTemplate' },
    { ResourceType: 'ssm:Parameter' },
    { ResourceType: 'imagebuilder:ImageRecipe' },
    { ResourceType: 'imagebuilder:ContainerRecipe' },
];
const KINDS = {
    'ec2:Instance': 'instance',
    'ec2:LaunchTemplate': `launch template; its ${LAUNCH_TEMPLATE_VERSION_DEPTH} most recent versions are checked`,
    'ssm:Parameter': 'SSM parameter',
    'imagebuilder:ImageRecipe': 'Image Builder image recipe',
    'imagebuilder:ContainerRecipe': 'Image Builder container recipe',
};
/** "arn:… (launch template; its 10 most recent versions are checked)". */
function referenceLabel(reference) {
    const kind = reference.ResourceType ? (KINDS[reference.ResourceType] ?? reference.ResourceType) : 'resource';
    return `${reference.Arn ?? 'a resource'} (${kind})`;
}
async function referencesOfBatch(ctx, region, imageIds) {
    const site = { what: `Looking for what still uses ${imageIds.join(', ')}`, ...siteOf(ctx.target, region), action: 'ec2:DescribeImageReferences' };
    const found = [];
    let token;
    do {
        const input = { ImageIds: imageIds, ResourceTypes: REFERENCE_TYPES, ...(token ? { NextToken: token } : {}) };
        const response = await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* DescribeImageReferencesCommand */._20(input)));
        found.push(...(response.ImageReferences ?? []));
        token = response.NextToken;
    } while (token);
    return found;
}
/** The resources of the target account in `region` that reference each image (images without any are left out). */
async function findImageReferences(ctx, region, imageIds) {
    const byImage = new Map();
    for (const batch of batches(imageIds, IMAGE_REFERENCES_BATCH)) {
        for (const reference of await referencesOfBatch(ctx, region, batch)) {
            if (!reference.ImageId)
                continue;
            byImage.set(reference.ImageId, [...(byImage.get(reference.ImageId) ?? []), reference]);
        }
    }
    return byImage;
}

;// CONCATENATED MODULE: ./src/domain/retirement-plan.ts




const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** How many referencing resources a reason names. */
const NAMED_REFERENCES = 3;
/**
 * The DeprecateAt of a retirement: the next whole minute. EC2 rounds DeprecateAt to the minute and refuses a time in
 * the past. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html
 */
function deprecateAt(now) {
    return new Date((Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS);
}
/** The lineage whose earlier promotions retire-previous retires. */
function retiredLineage(ctx, region) {
    const { lineage } = ctx.request;
    if (lineage)
        return lineage;
    throw new errors/* PromotionError */.g1({
        what: 'Retiring earlier promotions',
        ...siteOf(ctx.target, region),
        why: 'retire-previous needs a lineage to recognise earlier promotions, and none is set.',
        fix: 'Set the lineage input (for example to owner/name of the repository), or set retire-previous to none.',
    });
}
/** Why an image is left as it is, from what DescribeImages says of it; undefined when nothing does. */
function ownReason(ctx, image, mode) {
    const days = ctx.request.retire.keepIfLaunchedWithinDays;
    const now = ctx.clock.now();
    if (image.state !== 'available' && image.state !== 'disabled')
        return `not available (state ${image.state})`;
    if (image.state === 'disabled' && mode !== 'deregister')
        return 'already disabled';
    if (mode === 'deprecate' && image.deprecationTime && Date.parse(image.deprecationTime) <= deprecateAt(now).getTime())
        return 'already deprecated';
    // DeregistrationProtection "indicates whether deregistration protection is enabled"; its values are not listed
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html). DescribeImages shows "disabled" when it is
    // off; anything else is taken as protected, a cooldown after turning it off included, during which the AMI cannot be
    // deregistered (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImageDeregistrationProtection.html).
    if (image.deregistrationProtection && image.deregistrationProtection !== 'disabled') {
        return `protected from deregistration (${image.deregistrationProtection})`;
    }
    // LastLaunchedTime is reported up to 24 hours late. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html
    const launched = image.lastLaunchedTime ? Date.parse(image.lastLaunchedTime) : NaN;
    if (launched > now - days * DAY_MS)
        return `launched ${new Date(launched).toISOString().slice(0, 10)} (within ${days} days)`;
    return undefined;
}
/**
 * Only promotions made before this one are earlier ones: made before this run started and before this promotion's own
 * AMIs, so that promoting an old release again, or a concurrent run of the same lineage, never retires a newer AMI.
 */
function madeBefore(ctx, found, current) {
    const ours = found.filter((image) => current.includes(image.imageId)).map((image) => Date.parse(image.creationDate));
    return Math.min(ctx.started, ...ours.filter((time) => !Number.isNaN(time)));
}
function keepPreviousReason(keepPrevious) {
    return keepPrevious === 1 ? 'the most recent earlier promotion (keep-previous)' : `one of the ${keepPrevious} most recent earlier promotions (keep-previous)`;
}
function referencedReason(labels) {
    const more = labels.length - NAMED_REFERENCES;
    return `referenced by ${labels.slice(0, NAMED_REFERENCES).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
/**
 * Which earlier promotions of the lineage in `region` retire-previous retires, and which it keeps: the keep-previous
 * most recent, those not available, already retired the same way, protected from deregistration, launched within
 * keep-if-launched-within-days, or still referenced. `current` (this promotion's AMIs) is never part of it. Only the
 * images past keep-previous that nothing else keeps are checked for references.
 */
async function planRetirement(ctx, region, current) {
    const { mode, keepPrevious } = ctx.request.retire;
    const found = await findEarlierPromotions(ctx, region, retiredLineage(ctx, region));
    const before = madeBefore(ctx, found, current);
    const newer = found.filter((image) => !current.includes(image.imageId) && !(Date.parse(image.creationDate) < before));
    const earlier = found.filter((image) => !current.includes(image.imageId) && !newer.includes(image));
    const counted = earlier.filter((image) => image.state === 'available' || image.state === 'disabled');
    const recent = new Set(counted.slice(0, keepPrevious));
    const kept = newer.map((image) => ({ image, reason: `made after this promotion (${image.creationDate}): a later release or a concurrent run's, never retired by this one` }));
    const candidates = [];
    for (const image of earlier) {
        const reason = recent.has(image) ? keepPreviousReason(keepPrevious) : ownReason(ctx, image, mode);
        if (reason)
            kept.push({ image, reason });
        else
            candidates.push(image);
    }
    const references = await findImageReferences(ctx, region, candidates.map((image) => image.imageId));
    const retire = [];
    for (const image of candidates) {
        const labels = (references.get(image.imageId) ?? []).map(referenceLabel);
        if (labels.length > 0)
            kept.push({ image, reason: referencedReason(labels) });
        else
            retire.push(image);
    }
    kept.sort((a, b) => found.indexOf(a.image) - found.indexOf(b.image));
    return { region, retire, kept };
}

;// CONCATENATED MODULE: ./src/domain/preflight/retirement-findings.ts


/** The check of every retirement finding starts with this. */
const RETIREMENT_CHECK = 'retire-previous';
const WOULD = { deprecate: 'deprecate', disable: 'disable', deregister: 'deregister (with its snapshots)' };
const label = (image) => (image.name ? `${image.imageId} (${image.name})` : image.imageId);
function planDetail(plan, mode, lineage) {
    if (plan.retire.length === 0 && plan.kept.length === 0)
        return `no earlier promotion of the lineage ${lineage} in ${plan.region}.`;
    const retire = plan.retire.length > 0 ? `would ${WOULD[mode]} ${plan.retire.map(label).join(', ')}` : 'would retire nothing';
    const kept = plan.kept.map(({ image, reason }) => `${label(image)}: ${reason}`);
    return `${retire} in ${plan.region}${kept.length > 0 ? `; would keep ${kept.join('; ')}` : ''}.`;
}
/**
 * retire-previous in the preflight: one finding per target region, saying which earlier promotions the run would
 * retire and which it would keep, with why (what the dry run and the job summary show). A refused DescribeImages or
 * DescribeImageReferences becomes a `missing` finding with the identity-policy fix. Mode none makes no call.
 */
async function retirementFindings(ctx, current) {
    const { mode } = ctx.request.retire;
    if (mode === 'none')
        return [];
    const perRegion = await Promise.all(ctx.target.spec.regions.map(async (region) => {
        const check = `${RETIREMENT_CHECK} (${mode}) in ${region}`;
        const failed = [];
        const plan = await attempt(failed, check, 'target', () => planRetirement(ctx, region, current(region)));
        return plan ? [{ check, side: 'target', accountId: ctx.target.identity.accountId, status: 'ok', detail: planDetail(plan, mode, ctx.request.lineage) }] : failed;
    }));
    return perRegion.flat();
}

// EXTERNAL MODULE: ./src/policy/recipients.ts
var policy_recipients = __webpack_require__(9700);
;// CONCATENATED MODULE: ./src/policy/recipient-access.ts








/** Stands for any account of an organization or OU: no statement names it, so only statements for all members apply. */
const ANY_MEMBER_ACCOUNT = '000000000000';
const ORG_PATHS = 'aws:PrincipalOrgPaths';
/**
 * aws:PrincipalOrgPaths values a member account may have: directly under the root (or the OU), and nested deeper. An
 * OU's ID carries its root's (ou-ROOT-…).
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html
 */
function memberPaths(group) {
    const org = group.organizationId;
    if (group.kind === 'organization')
        return [`${org}/r-0000/`, `${org}/r-0000/ou-0000-00000000/ou-0000-11111111/`];
    const root = group.ouId.split('-')[1];
    return [`${org}/r-${root}/${group.ouId}/`, `${org}/r-${root}/ou-${root}-00000000/${group.ouId}/ou-${root}-11111111/`];
}
/**
 * The conditions on aws:PrincipalOrgPaths that hold for every member account, wherever it sits: those that hold for
 * each of the sample paths (negated operators aside: they could exclude a level the samples do not have). The others
 * stay unknown, since the real paths are not known here.
 */
function orgPathAssumptions(policy, paths) {
    const assumptions = new Map();
    const contexts = paths.map((path) => new RequestContext({ [ORG_PATHS]: [path] }));
    for (const { conditions } of parseKeyPolicy(policy)) {
        for (const entry of conditions) {
            if (entry.key.toLowerCase() !== ORG_PATHS.toLowerCase() || /not/i.test(entry.operator))
                continue;
            if (contexts.every((context) => evaluateConditions([entry], context).result === 'match'))
                assumptions.set(conditionId(entry), true);
        }
    }
    return assumptions;
}
/**
 * A request of the recipient: an account as its root (any principal of it; its IAM policies decide further), an
 * organization or OU as any principal of any member account, with the organization ID it carries.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
 */
function requestOf(policy, recipient, partition) {
    if (recipient.kind === 'account') {
        const unknown = `the organization of account ${recipient.accountId} is not known to the action`;
        return {
            principalArn: (0,aws_arn/* accountRootArn */.hd)(partition, recipient.accountId),
            principalAccount: recipient.accountId,
            context: {},
            unknownKeys: { 'aws:PrincipalOrgID': unknown, [ORG_PATHS]: unknown },
        };
    }
    return {
        principalArn: (0,aws_arn/* accountRootArn */.hd)(partition, ANY_MEMBER_ACCOUNT),
        principalAccount: ANY_MEMBER_ACCOUNT,
        context: { 'aws:PrincipalOrgID': recipient.organizationId },
        unknownKeys: { [ORG_PATHS]: `where the accounts of ${(0,policy_recipients/* recipientLabel */.gk)(recipient)} sit in the organization is not known to the action` },
        assumptions: orgPathAssumptions(policy, memberPaths(recipient)),
    };
}
/**
 * Whether the key policy lets a recipient of the shared AMI launch it: EC2, on the behalf of a principal of the
 * recipient, uses the key of the AMI's snapshots for the new volumes. Recipients in other accounts also need their own
 * IAM policies to allow the key.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html
 */
function checkRecipientLaunchAccess(policy, { keyArn, region, recipient, partition }) {
    const { principalArn, principalAccount, context, unknownKeys, assumptions } = requestOf(policy, recipient, partition);
    return runCheck({
        policy,
        principalArn,
        principalAccount,
        keyArn,
        unknownKeys,
        assumptions,
        required: ebsRequests(LAUNCH_KEY, { ...context, 'kms:ViaService': ec2ViaService(region) }),
        accountIsEnough: true,
        statements: recipientKeyStatements(recipient, partition),
    });
}

;// CONCATENATED MODULE: ./src/domain/preflight/onward-findings.ts





const onward_findings_check = (region) => `The share-with recipients can use the target key in ${region}`;
const labels = (verdicts) => verdicts.map((v) => (0,policy_recipients/* recipientLabel */.gk)(v.recipient)).join(', ');
const actionsWith = (v, status) => v.report.actions.filter((a) => a.status === status);
const place = (ctx, region) => ({ side: 'target', accountId: ctx.target.identity.accountId, region });
/**
 * "You can't share AMIs that are backed by snapshots that are encrypted with the default AWS managed key": other
 * accounts cannot use an AWS-managed key, whose key policy cannot be changed.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 */
function awsManagedFinding(ctx, key) {
    const which = key.arn
        ? `${key.arn}, an AWS-managed key`
        : `the target account's default EBS key (${key.display}), which is the AWS-managed aws/ebs key unless the account chose another`;
    return missingFinding(onward_findings_check(key.region), {
        ...place(ctx, key.region),
        why: `the promoted AMI would be under ${which}. Accounts, organizations and OUs it is shared with cannot use an AWS-managed key (its key policy cannot be changed), so they could not launch the AMI.`,
        fix: `Set target-kms-key to a customer-managed key of account ${ctx.target.identity.accountId} in ${key.region} (for example alias/golden-ami) whose key policy lets the recipients use it, or remove share-with.`,
    });
}
function deniedFinding(ctx, key, v) {
    const blocked = actionsWith(v, 'explicit-deny').map((a) => `${a.action} (statement ${a.evaluation.statements.join(', ')})`);
    return missingFinding(onward_findings_check(key.region), {
        ...place(ctx, key.region),
        why: `the key policy of ${key.arn} explicitly denies ${(0,policy_recipients/* recipientLabel */.gk)(v.recipient)} ${blocked.join(', ')}; an explicit Deny wins over every Allow.`,
        fix: `Remove or narrow that Deny statement in the key policy of ${key.arn} so that it does not apply to ${(0,policy_recipients/* recipientLabel */.gk)(v.recipient)}.`,
    });
}
function missingStatementsFinding(ctx, key, missing) {
    const what = missing.map((v) => `${(0,policy_recipients/* recipientLabel */.gk)(v.recipient)} (${actionsWith(v, 'missing').map((a) => a.action).join(', ')})`);
    return missingFinding(onward_findings_check(key.region), {
        ...place(ctx, key.region),
        why: `the key policy of ${key.arn} does not let ${what.join('; ')} use the key, so they could not launch the shared AMI.`,
        fix: `Add these statements to the key policy of ${key.arn}:\n${JSON.stringify(missing.flatMap((v) => v.report.statementsToAdd), null, 2)}`,
    });
}
/** One finding per kind of verdict: ok, missing statements, explicit denies, conditions that cannot be evaluated. */
function verdictFindings(ctx, key, verdicts) {
    const having = (status) => verdicts.filter((v) => actionsWith(v, status).length > 0);
    const findings = having('explicit-deny').map((v) => deniedFinding(ctx, key, v));
    const missing = having('missing').filter((v) => actionsWith(v, 'explicit-deny').length === 0);
    if (missing.length > 0)
        findings.push(missingStatementsFinding(ctx, key, missing));
    for (const v of having('unknown')) {
        const reasons = [...new Set(actionsWith(v, 'unknown').flatMap((a) => a.evaluation.unknownReasons))];
        findings.push({ check: onward_findings_check(key.region), side: 'target', status: 'unchecked', detail: `for ${(0,policy_recipients/* recipientLabel */.gk)(v.recipient)}, a condition could not be evaluated: ${reasons.join('; ')}.` });
    }
    const ok = verdicts.filter((v) => v.report.ok);
    if (ok.length > 0) {
        findings.push({ check: onward_findings_check(key.region), side: 'target', status: 'ok', detail: `${key.arn} lets ${labels(ok)} launch the shared AMI (their own IAM policies must allow the key too).` });
    }
    return findings;
}
async function keyFindings(ctx, key, recipients) {
    if (!key.arn || key.keyManager !== 'CUSTOMER')
        return [awsManagedFinding(ctx, key)];
    const customer = { ...key, arn: key.arn };
    const policy = await readTargetKeyPolicy(ctx, customer, onward_findings_check(key.region), 'so that the preflight checks that the share-with recipients may use the key');
    if (typeof policy !== 'string')
        return [policy];
    const partition = ctx.target.spec.role.partition;
    try {
        const verdicts = recipients.map((recipient) => ({ recipient, report: checkRecipientLaunchAccess(policy, { keyArn: customer.arn, region: key.region, recipient, partition }) }));
        return verdictFindings(ctx, customer, verdicts);
    }
    catch (error) {
        return [{ check: onward_findings_check(key.region), side: 'target', status: 'unchecked', detail: `the key policy of ${key.arn} could not be evaluated (${(0,errors/* errorMessage */.gJ)(error)}).` }];
    }
}
function otherPartitionFinding(ctx, region, recipients) {
    const partition = ctx.target.spec.role.partition;
    const elsewhere = recipients.flatMap((r) => (r.kind !== 'account' && r.partition !== partition ? [r.arn] : []));
    if (elsewhere.length === 0)
        return undefined;
    return missingFinding(onward_findings_check(region), {
        ...place(ctx, region),
        why: `share-with names ${elsewhere.join(', ')}, of another partition than the target account (${partition}); partitions are a hard boundary that principals of one cannot cross to use resources of another.`,
        fix: `Remove ${elsewhere.join(', ')} from share-with.`,
    });
}
/**
 * share-with: in every region of the target account, the promoted AMI's key must be customer-managed and its key policy
 * must let every recipient use it to launch the AMI (organizations and OUs through aws:PrincipalOrgID and
 * aws:PrincipalOrgPaths conditions). Organizations and OUs of another partition are refused: "You cannot use IAM
 * credentials from one partition to interact with resources in a different partition".
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/allow-org-ou-to-use-key.html
 * https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */
async function onwardSharingFindings(ctx, keys) {
    const recipients = (0,policy_recipients/* recipientsOf */.wX)(ctx.request.shareWith, ctx.target.identity.accountId);
    if (recipients.length === 0)
        return [];
    const elsewhere = otherPartitionFinding(ctx, keys[0]?.region ?? ctx.request.sourceRegion, recipients);
    if (elsewhere)
        return [elsewhere];
    return (await Promise.all(keys.map((key) => keyFindings(ctx, key, recipients)))).flat();
}

;// CONCATENATED MODULE: ./src/domain/preflight/source-image-findings.ts

const SOURCE_IMAGE_CHECK = 'The source AMI can be promoted';
/**
 * A deprecated AMI stays usable by its ID (launch, copy), so it is promoted, with a warning.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html
 */
function deprecationFinding(image, now) {
    if (!image.deprecationTime || Date.parse(image.deprecationTime) > now)
        return undefined;
    return {
        check: 'The source AMI is deprecated',
        side: 'source',
        status: 'warning',
        detail: `${image.imageId} was deprecated at ${image.deprecationTime}. AWS still copies a deprecated AMI by its ID, so it is promoted; check that this is the image you mean to release.`,
    };
}
const LICENCE_CHECK = 'The source AMI can be registered from its snapshots';
/**
 * What AWS ties to the AMI rather than to its snapshots: product codes, and the billing code behind PlatformDetails and
 * UsageOperation ("RunInstances" is Linux/UNIX without a licence billed through the AMI; Windows, Red Hat, SUSE, SQL
 * Server, Ubuntu Pro and the like have their own: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html).
 * RegisterImage keeps none of them: "AMIs for Windows, RedHat, SUSE, and SQL Server require correct licensing
 * information to be present on the AMI" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html).
 */
function licenceRefusal(image) {
    const licensed = image.usageOperation !== undefined ? image.usageOperation !== 'RunInstances' : (image.platformDetails ?? 'Linux/UNIX') !== 'Linux/UNIX';
    if (image.billingCodes.length === 0 && !licensed)
        return undefined;
    const what = [
        ...(licensed ? [`the platform ${image.platformDetails ?? 'unknown'} (usage operation ${image.usageOperation ?? 'unknown'}), whose licence is billed through the AMI`] : []),
        ...(image.billingCodes.length ? [`product code(s) ${image.billingCodes.join(', ')}`] : []),
    ];
    return missingFinding(LICENCE_CHECK, {
        side: 'source',
        why: `${image.imageId} carries ${what.join(' and ')}. AWS ties these to the AMI, not to its snapshots: an AMI registered from copies of the snapshots (copy-method snapshots) would lose them, and instances launched from it would run without the licence or billing.`,
        fix: 'Promote this AMI with copy-method image (CopyImage keeps the billing information), or promote an AMI without a licence billed through it.',
    });
}
function billingFinding(image, method) {
    if (method === 'snapshots')
        return licenceRefusal(image);
    if (image.billingCodes.length === 0 && !/windows/i.test(image.platformDetails ?? ''))
        return undefined;
    return {
        check: 'Billing product codes',
        side: 'source',
        status: 'warning',
        detail: `${image.platformDetails ?? 'the AMI'} carries billing codes (${image.billingCodes.join(', ') || 'platform'}); CopyImage keeps them, so instances from the promoted AMI are billed the same. Registering an image from copied snapshots would drop them: copy-method snapshots refuses such AMIs.`,
    };
}
/** What the preflight reports about an AMI that can be promoted: ok, then its warnings. */
function sourceImageFindings(image, now, method = 'image') {
    const ok = {
        check: SOURCE_IMAGE_CHECK,
        side: 'source',
        status: 'ok',
        detail: `${image.imageId} "${image.name}" is available, EBS-backed, with ${image.snapshots.length} snapshot(s).`,
    };
    return [ok, billingFinding(image, method), deprecationFinding(image, now)].filter((f) => f !== undefined);
}

;// CONCATENATED MODULE: ./src/policy/explain-conditions.ts
/** The condition as it is written in the policy, e.g. {"StringEquals":{"kms:CallerAccount":"111122223333"}}. */
function conditionText(condition) {
    const values = condition.values.length === 1 ? condition.values[0] : condition.values;
    return JSON.stringify({ [condition.operator]: { [condition.key]: values } });
}
/** What the request carries for the condition's key, e.g. "EC2's calls carry kms:CallerAccount = 222233334444". */
function requestText(condition, requests) {
    const { request, key } = condition;
    if (request === 'absent')
        return `${requests} carry no ${key}`;
    if (request === 'unknown')
        return condition.reason ?? `${key} cannot be known`;
    return `${requests} carry ${key} = ${request.join(', ')}`;
}
function explain_conditions_unique(conditions) {
    const seen = new Set();
    return conditions.filter((c) => {
        const id = `${c.statement}\u0000${c.id}`;
        if (seen.has(id))
            return false;
        seen.add(id);
        return true;
    });
}
/** Why Allow statements do not apply: 'statement "X" requires {...}, but EC2's calls carry ...'. */
function exclusionNotes(conditions, requests) {
    return explain_conditions_unique(conditions.filter((c) => c.result === 'no-match')).map((c) => `statement "${c.statement}" requires ${conditionText(c)}, but ${requestText(c, requests)}`);
}
/** Why a Deny statement applies: 'statement "X" denies when {...}, and EC2's calls carry ...'. */
function denialNotes(conditions, requests) {
    return explain_conditions_unique(conditions).map((c) => `statement "${c.statement}" denies when ${conditionText(c)}, and ${requestText(c, requests)}`);
}
/** How to change the excluding conditions: 'in statement "X", let {...} allow kms:CallerAccount = 2222...'. */
function conditionFixes(conditions) {
    return explain_conditions_unique(conditions.filter((c) => c.result === 'no-match' && Array.isArray(c.request))).map((c) => `in statement "${c.statement}", change ${conditionText(c)} so that it also allows ${c.key} = ${c.request.join(', ')}`);
}
/** Conditions that could not be evaluated: 'statement "X" requires {...} (aws:PrincipalOrgID: why it is not known)'. */
function unknownNotes(conditions) {
    return explain_conditions_unique(conditions.filter((c) => c.result === 'unknown')).map((c) => `statement "${c.statement}" requires ${conditionText(c)} (${c.reason ?? 'unknown'})`);
}

;// CONCATENATED MODULE: ./src/policy/probe-inference.ts
/**
 * Condition keys with the same value in every request of one principal: whatever the probe shows about a
 * condition on them holds for EC2's calls on the principal's behalf as well.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
 */
const PRINCIPAL_KEY = /^aws:(principalorgid|principalorgpaths|principaltag\/.+)$/i;
/** Beyond this many unknown principal conditions, the probe is not used to settle them. */
const MAX_UNKNOWNS = 6;
function copyVerdict(report) {
    if (report.actions.some((a) => a.status === 'missing' || a.status === 'explicit-deny'))
        return 'not-ok';
    return report.ok ? 'ok' : 'unknown';
}
function principalUnknowns({ copy, probe }) {
    const conditions = [...probe.conditions, ...copy.actions.flatMap((a) => a.evaluation.conditions)];
    return [...new Set(conditions.filter((c) => c.result === 'unknown' && PRINCIPAL_KEY.test(c.key)).map((c) => c.id))];
}
/** Every way the unknown conditions can turn out (true or false each). */
function assignments(ids) {
    const count = ids.length > MAX_UNKNOWNS ? 0 : ids.length;
    return Array.from({ length: 2 ** count }, (_, mask) => new Map(ids.slice(0, count).map((id, bit) => [id, (mask & (1 << bit)) !== 0])));
}
const denies = (evaluation) => evaluation.decision === 'implicit-deny' || evaluation.decision === 'explicit-deny';
/**
 * What the probe's outcome proves about the copy. Each way the unknown principal conditions (organization,
 * principal tags) can turn out that agrees with the outcome gives one possible verdict for the copy. A
 * passed probe means the key policy allowed it; a denied one, that the key policy denied it or that the role's
 * own IAM policy does not allow the key (which fails the copy too).
 */
function inferFromProbe(assess, passed) {
    const initial = assess(new Map());
    const cases = assignments(principalUnknowns(initial)).map(assess);
    const consistent = cases.filter(({ probe }) => (passed ? !denies(probe) : probe.decision !== 'allow'));
    const verdicts = new Set(consistent.map(({ copy }) => copyVerdict(copy)));
    if (!passed)
        verdicts.add('not-ok');
    const [only] = verdicts;
    return { verdict: verdicts.size === 1 && only ? only : 'unknown', keyPolicyMayDeny: !passed && consistent.length > 0 };
}

// EXTERNAL MODULE: ./src/aws/trust-policy.ts
var trust_policy = __webpack_require__(4770);
// EXTERNAL MODULE: ./src/policy/tag-keys.ts
var tag_keys = __webpack_require__(1515);
;// CONCATENATED MODULE: ./src/policy/ec2-statements.ts
/**
 * The EC2 statements of the generated policies, in the narrowest form the Service Authorization Reference (SAR) for EC2
 * allows: resource ARNs wherever an action has a resource type, tag conditions that encode the action's own rules, and
 * Resource "*" with aws:RequestedRegion only for the actions that have none.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */




/** The condition keys the statements use, as written in them. */
const KEYS = {
    requestedRegion: 'aws:RequestedRegion',
    /** https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html */
    createAction: 'ec2:CreateAction',
    tagKeys: 'aws:TagKeys',
    owner: 'ec2:Owner',
    addGroup: 'ec2:Add/group',
    requestTag: (key) => `aws:RequestTag/${key}`,
    resourceTag: (key) => `ec2:ResourceTag/${key}`,
};
const allow = (statement) => ({ Sid: statement.Sid, Effect: 'Allow', ...statement });
/** One action alone, several as a sorted list. */
const actionList = (needs) => oneOrMany(sortedActions(needs));
const only = (needs, ...actions) => needs.filter((need) => actions.includes(need.action));
/** Resources that carry the action's role tag (ec2:ResourceTag, which every image and snapshot action here supports). */
const taggedAs = (role, more = {}) => ({ StringEquals: { [KEYS.resourceTag(tag_keys/* TAG */.Dk.role)]: role, ...more } });
/** New resources that CopyImage tags with the role at creation (TagSpecifications give the request tags). */
const requestTaggedAs = (role) => ({ StringEquals: { [KEYS.requestTag(tag_keys/* TAG */.Dk.role)]: role } });
/**
 * CreateTags only as part of CopyImage, with the role tag: what TagSpecifications imply.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
 */
const taggingAtCopy = (role, action = 'CopyImage') => ({ StringEquals: { [KEYS.createAction]: action, [KEYS.requestTag(tag_keys/* TAG */.Dk.role)]: role } });
/**
 * Never with group "all": ModifySnapshotAttribute carries the groups added in ec2:Add/group (absent when none is, which
 * a negated operator treats as a match). ModifyImageAttribute has no such key in the SAR, so no condition can refuse
 * making an AMI public there: the action never does, and Block Public Access for AMIs refuses it account-wide.
 */
const NEVER_PUBLIC = { StringNotEquals: { [KEYS.addGroup]: 'all' } };
function regionLimited(sid, needs, regions) {
    if (needs.length === 0)
        return [];
    return [allow({ Sid: sid, Action: actionList(needs), Resource: '*', Condition: { StringEquals: { [KEYS.requestedRegion]: oneOrMany(regions) } } })];
}
/** The source role in the source region. */
function sourceEc2Statements(inputs) {
    const { partition, sourceRegion: region } = inputs;
    const anyImage = (0,aws_arn/* imageArn */.pq)(partition, region, '*');
    const anySnapshot = (0,aws_arn/* snapshotArn */.mi)(partition, region, '*');
    // The role serves every release: the source AMIs and their snapshots by owner, not by ID.
    const ownedBySource = { StringEquals: { [KEYS.owner]: inputs.sourceAccountId } };
    const all = Object.values(SOURCE_EC2).flat();
    const asIs = inputs.reencrypt !== true;
    const viaCopy = inputs.reencrypt !== false;
    const imageActions = imageShareActions(inputs);
    return [
        ...regionLimited('DescribeImagesAndSnapshotsHaveNoResourceLevelPermissions', byResourceLevel(all).unscoped, [region]),
        ...(viaCopy ? intermediateStatements(anyImage, anySnapshot, ownedBySource, imageActions) : []),
        ...(asIs ? sourceShareStatements(anyImage, anySnapshot, inputs.sourceAccountId, imageActions) : []),
    ];
}
/**
 * What the source role does to the shared AMI itself: launch permissions (read and changed); with copy-method snapshots
 * no launch permission at all, only DescribeImageAttribute for its UEFI data.
 */
function imageShareActions(inputs) {
    const actions = inputs.copyMethod === 'snapshots' ? ['ec2:DescribeImageAttribute'] : ['ec2:DescribeImageAttribute', 'ec2:ModifyImageAttribute'];
    return only(SOURCE_EC2.share, ...actions);
}
/** Re-encryption: the intermediate copy, made, leased, shared and removed only as tagged. */
function intermediateStatements(anyImage, anySnapshot, ownedBySource, imageActions) {
    const share = SOURCE_EC2.share;
    const intermediate = taggedAs(tag_keys/* ROLE_INTERMEDIATE */.pP);
    return [
        // The SAR authorizes CopyImage on the source image (with ec2:Owner) and its snapshots (no owner or tag key there).
        allow({ Sid: 'CopySourceAmisOfTheSourceAccount', Action: 'ec2:CopyImage', Resource: anyImage, Condition: ownedBySource }),
        allow({ Sid: 'CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage', Action: 'ec2:CopyImage', Resource: anySnapshot }),
        allow({ Sid: 'MakeOnlyIntermediateCopiesTaggedAsSuch', Action: 'ec2:CopyImage', Resource: [anyImage, anySnapshot], Condition: requestTaggedAs(tag_keys/* ROLE_INTERMEDIATE */.pP) }),
        allow({ Sid: 'TagTheIntermediateCopyOnlyAsCopyImageMakesIt', Action: 'ec2:CreateTags', Resource: [anyImage, anySnapshot], Condition: taggingAtCopy(tag_keys/* ROLE_INTERMEDIATE */.pP) }),
        allow({
            Sid: 'LeaseAndMarkOnlyIntermediateCopies',
            Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
            Resource: anyImage,
            Condition: { ...intermediate, 'ForAllValues:StringLike': { [KEYS.tagKeys]: [`${tag_keys/* MARK */.M$.lease}*`, `${tag_keys/* MARK */.M$.going}*`] } },
        }),
        allow({
            Sid: 'ShareAndRemoveOnlyIntermediateCopies',
            Action: actionList([...imageActions, ...only(SOURCE_EC2.cleanup, 'ec2:DeregisterImage')]),
            Resource: anyImage,
            Condition: intermediate,
        }),
        allow({
            Sid: 'ShareAndDeleteOnlyIntermediateSnapshotsNeverPublicly',
            Action: actionList([...only(share, 'ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute'), ...only(SOURCE_EC2.cleanup, 'ec2:DeleteSnapshot')]),
            Resource: anySnapshot,
            Condition: { ...intermediate, ...NEVER_PUBLIC },
        }),
    ];
}
/** No re-encryption: the source AMI and its snapshots shared as they are, only the source account's own. */
function sourceShareStatements(anyImage, anySnapshot, sourceAccountId, imageActions) {
    const share = SOURCE_EC2.share;
    const owned = { [KEYS.owner]: sourceAccountId };
    return [
        allow({ Sid: 'ShareSourceAmisOfTheSourceAccount', Action: actionList(imageActions), Resource: anyImage, Condition: { StringEquals: owned } }),
        allow({
            Sid: 'ShareSourceSnapshotsOfTheSourceAccountNeverPublicly',
            Action: actionList(only(share, 'ec2:DescribeSnapshotAttribute', 'ec2:ModifySnapshotAttribute')),
            Resource: anySnapshot,
            Condition: { StringEquals: owned, ...NEVER_PUBLIC },
        }),
    ];
}
/** What the target role does to the promoted AMIs and launch templates, as the inputs ask (retirement: TARGET_RETIRE). */
function finishingNeeds(inputs) {
    return {
        images: [
            ...(inputs.deregistrationProtection ? TARGET_EC2.protection : []),
            ...(inputs.deprecation ? TARGET_EC2.deprecation : []),
            ...(inputs.shareWith?.length ? TARGET_SHARE_ONWARD : []),
        ],
        templates: [...(inputs.launchTemplates ? TARGET_LAUNCH_TEMPLATES : []), ...(inputs.launchTemplates && inputs.launchTemplateDefault ? [TARGET_LAUNCH_TEMPLATE_DEFAULT] : [])],
    };
}
/** The copy into the target regions from the source account's AMI, tagged as promoted at creation. */
function copyStatements(inputs, images, snapshots) {
    const { partition, sourceRegion } = inputs;
    return [
        // The shared AMI is the source AMI or the intermediate copy (its ID unknown here), both the source account's.
        allow({ Sid: 'CopyOnlyAmisOfTheSourceAccount', Action: 'ec2:CopyImage', Resource: (0,aws_arn/* imageArn */.pq)(partition, sourceRegion, '*'), Condition: { StringEquals: { [KEYS.owner]: inputs.sourceAccountId } } }),
        // CopyImage's snapshot resource has no owner or tag key in the SAR: the shared AMI's snapshots by region only.
        allow({ Sid: 'CopyTheirSnapshotsWhichHaveNoOwnerKeyForCopyImage', Action: 'ec2:CopyImage', Resource: (0,aws_arn/* snapshotArn */.mi)(partition, sourceRegion, '*') }),
        allow({ Sid: 'MakeOnlyCopiesTaggedAsPromoted', Action: 'ec2:CopyImage', Resource: [...images, ...snapshots], Condition: requestTaggedAs(tag_keys/* ROLE_PROMOTED */.qZ) }),
        allow({ Sid: 'TagTheCopiesOnlyAsCopyImageMakesThem', Action: 'ec2:CreateTags', Resource: [...images, ...snapshots], Condition: taggingAtCopy(tag_keys/* ROLE_PROMOTED */.qZ) }),
    ];
}
/**
 * copy-method snapshots: CopySnapshot from the source region and RegisterImage in the target regions, each new
 * resource tagged as promoted at creation. The SAR authorizes CopySnapshot on snapshots (the shared one and the copy)
 * and RegisterImage on the new image and the snapshots it is registered from, with ec2:CreateTags for the tags given
 * at creation (ec2:CreateAction names the call):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
 */
function snapshotCopyStatements(inputs, images, snapshots) {
    const { partition, sourceRegion } = inputs;
    return [
        // The shared snapshot's ID is unknown here (the source's or the intermediate copy's): by region, as for CopyImage.
        allow({ Sid: 'CopySnapshotsOfTheSourceRegion', Action: 'ec2:CopySnapshot', Resource: (0,aws_arn/* snapshotArn */.mi)(partition, sourceRegion, '*') }),
        allow({ Sid: 'MakeOnlySnapshotCopiesTaggedAsPromoted', Action: 'ec2:CopySnapshot', Resource: oneOrMany(snapshots), Condition: requestTaggedAs(tag_keys/* ROLE_PROMOTED */.qZ) }),
        allow({ Sid: 'TagTheSnapshotCopiesOnlyAsCopySnapshotMakesThem', Action: 'ec2:CreateTags', Resource: oneOrMany(snapshots), Condition: taggingAtCopy(tag_keys/* ROLE_PROMOTED */.qZ, 'CopySnapshot') }),
        allow({ Sid: 'RegisterOnlyAmisTaggedAsPromoted', Action: 'ec2:RegisterImage', Resource: oneOrMany(images), Condition: requestTaggedAs(tag_keys/* ROLE_PROMOTED */.qZ) }),
        allow({ Sid: 'RegisterOnlyFromSnapshotCopiesTaggedAsPromoted', Action: 'ec2:RegisterImage', Resource: oneOrMany(snapshots), Condition: taggedAs(tag_keys/* ROLE_PROMOTED */.qZ) }),
        allow({ Sid: 'TagTheAmisOnlyAsRegisterImageMakesThem', Action: 'ec2:CreateTags', Resource: oneOrMany(images), Condition: taggingAtCopy(tag_keys/* ROLE_PROMOTED */.qZ, 'RegisterImage') }),
    ];
}
/**
 * retire-previous: only earlier promotions of the lineage. What is already allowed on every promoted AMI adds nothing:
 * deregistering with the snapshots (RemoveOnlyCopiesTaggedAsPromoted, which cleanup needs) and, with
 * deprecate-after-days, deprecating (FinishAndShareOnlyPromotedAmis).
 */
function retireStatements(inputs, images, allowedOnEveryPromoted) {
    const covered = new Set([...TARGET_EC2.cleanup, ...allowedOnEveryPromoted].map((need) => need.action));
    const needs = byResourceLevel(TARGET_RETIRE[inputs.retire ?? 'none']).scoped.filter((need) => !covered.has(need.action));
    if (needs.length === 0)
        return [];
    const lineage = inputs.lineage ? { [KEYS.resourceTag(tag_keys/* TAG */.Dk.lineage)]: inputs.lineage } : {};
    return [allow({ Sid: 'RetireOnlyEarlierPromotionsOfTheLineage', Action: actionList(needs), Resource: oneOrMany(images), Condition: taggedAs(tag_keys/* ROLE_PROMOTED */.qZ, lineage) })];
}
/** What the copy reads; the default EBS key's name only where a target region uses that key. */
function copyReads(inputs) {
    const usesDefaultKey = inputs.targetRegions.some((region) => !inputs.targetKeyArns[region]);
    return targetCopyNeeds(inputs.copyMethod).filter((need) => usesDefaultKey || need.action !== 'ec2:GetEbsDefaultKmsKeyId');
}
/** The target role in the target regions. */
function targetEc2Statements(inputs) {
    const { partition, targetRegions: regions } = inputs;
    const images = regions.map((region) => (0,aws_arn/* imageArn */.pq)(partition, region, '*'));
    const snapshots = regions.map((region) => (0,aws_arn/* snapshotArn */.mi)(partition, region, '*'));
    const finishing = finishingNeeds(inputs);
    const retire = TARGET_RETIRE[inputs.retire ?? 'none'];
    const templates = byResourceLevel(finishing.templates);
    const statements = [
        ...regionLimited('DescribeCallsAndSettingsHaveNoResourceLevelPermissions', byResourceLevel([...copyReads(inputs), ...templates.unscoped, ...retire]).unscoped, regions),
        ...(inputs.copyMethod === 'snapshots' ? snapshotCopyStatements(inputs, images, snapshots) : copyStatements(inputs, images, snapshots)),
        // Cleanup deregisters an unfinished copy with its snapshots (DeleteAssociatedSnapshots needs ec2:DeleteSnapshot).
        allow({ Sid: 'RemoveOnlyCopiesTaggedAsPromoted', Action: actionList(TARGET_EC2.cleanup), Resource: [...images, ...snapshots], Condition: taggedAs(tag_keys/* ROLE_PROMOTED */.qZ) }),
    ];
    if (finishing.images.length > 0) {
        statements.push(allow({ Sid: 'FinishAndShareOnlyPromotedAmis', Action: actionList(finishing.images), Resource: oneOrMany(images), Condition: taggedAs(tag_keys/* ROLE_PROMOTED */.qZ) }));
    }
    if (templates.scoped.length > 0) {
        const arns = regions.map((region) => (0,aws_arn/* launchTemplateArn */.DG)(partition, region, inputs.targetAccountId, '*'));
        statements.push(allow({ Sid: 'PutThePromotedAmiInLaunchTemplates', Action: actionList(templates.scoped), Resource: oneOrMany(arns) }));
    }
    return [...statements, ...retireStatements(inputs, images, finishing.images)];
}

;// CONCATENATED MODULE: ./src/policy/generate.ts







function generate_unique(list) {
    return [...new Set(list)];
}
function ebsGrantStatement(keyArns) {
    return { Sid: 'LetEc2CreateGrantsOnTheKeys', Effect: 'Allow', Action: EBS_GRANT.action, Resource: oneOrMany(keyArns), Condition: GRANT_FOR_AWS_RESOURCE };
}
function sourceRoleIamPolicy(inputs, extraKeys) {
    const keyActions = sortedActions([...EBS_KEY_USE, ...SOURCE_KEY_CHECK, ...SOURCE_KEY_ACCESS[inputs.keyAccess]]);
    const statements = [
        ...sourceEc2Statements(inputs),
        { Sid: 'UseAndManageTheSharedKey', Effect: 'Allow', Action: keyActions, Resource: inputs.kmsKeyArn },
    ];
    if (extraKeys.length > 0) {
        statements.push({
            Sid: 'ReadTheSourceSnapshotKeys',
            Effect: 'Allow',
            Action: sortedActions(SOURCE_OTHER_KEYS),
            Resource: oneOrMany(extraKeys),
        });
    }
    statements.push(ebsGrantStatement([inputs.kmsKeyArn, ...extraKeys]));
    if (inputs.keyAccess === 'grant') {
        statements.push({
            Sid: 'GrantTheTargetRoleUseOfTheSharedKey',
            Effect: 'Allow',
            Action: SOURCE_KEY_GRANT.action,
            Resource: inputs.kmsKeyArn,
            Condition: { StringEquals: { 'kms:GranteePrincipal': inputs.targetRoleArn } },
        });
    }
    return { Version: '2012-10-17', Statement: statements };
}
function sourceKeyUseStatement(keyArn) {
    return { Sid: 'UseTheSharedSourceKey', Effect: 'Allow', Action: sortedActions(EBS_KEY_USE), Resource: keyArn };
}
/** What the target role's own IAM policy needs for the source key alone (named in refusals of a missing one). */
function targetRoleSourceKeyStatements(keyArn) {
    return [sourceKeyUseStatement(keyArn), ebsGrantStatement([keyArn])];
}
/** share-with: reading the target key policies, unless the Auto Scaling check already reads them (one statement per need). */
function shareOnwardStatements(inputs, targetKeys) {
    if (!inputs.shareWith?.length)
        return [];
    if (targetKeys.length === 0 || TARGET_AUTOSCALING[inputs.autoscalingAccess].some((need) => need.action === TARGET_RECIPIENT_CHECK.action))
        return [];
    return [{ Sid: 'CheckRecipientAccessToTheTargetKeys', Effect: 'Allow', Action: [TARGET_RECIPIENT_CHECK.action], Resource: oneOrMany(targetKeys) }];
}
function targetRoleIamPolicy(inputs, targetKeys) {
    const statements = [sourceKeyUseStatement(inputs.kmsKeyArn)];
    if (targetKeys.length > 0) {
        statements.push({
            Sid: 'UseTheTargetKeys',
            Effect: 'Allow',
            Action: sortedActions(EBS_KEY_USE),
            Resource: oneOrMany(targetKeys),
        });
    }
    statements.push(ebsGrantStatement([inputs.kmsKeyArn, ...targetKeys]), ...targetEc2Statements(inputs));
    const autoscaling = TARGET_AUTOSCALING[inputs.autoscalingAccess];
    if (targetKeys.length > 0 && autoscaling.length > 0) {
        statements.push({ Sid: 'CheckAutoScalingAccessToTheTargetKeys', Effect: 'Allow', Action: sortedActions(autoscaling), Resource: oneOrMany(targetKeys) });
    }
    if (targetKeys.length > 0 && inputs.autoscalingAccess === 'grant') {
        statements.push({
            Sid: 'GrantAutoScalingUseOfTheTargetKeys',
            Effect: 'Allow',
            Action: AUTOSCALING_GRANT.action,
            Resource: oneOrMany(targetKeys),
            Condition: { StringEquals: { 'kms:GranteePrincipal': autoScalingServiceLinkedRoleArn(inputs.partition, inputs.targetAccountId) } },
        });
    }
    statements.push(...shareOnwardStatements(inputs, targetKeys));
    const { ssmParameter } = inputs;
    if (ssmParameter !== undefined) {
        statements.push({
            Sid: 'PublishThePromotedAmiId',
            Effect: 'Allow',
            Action: TARGET_PUBLISH.action,
            Resource: oneOrMany(inputs.targetRegions.map((region) => (0,aws_arn/* ssmParameterArn */.Yx)(inputs.partition, region, inputs.targetAccountId, ssmParameter))),
        });
    }
    statements.push({ Sid: 'CheckOwnPermissionsInDryRun', Effect: 'Allow', Action: TARGET_SELF_SIMULATION.action, Resource: inputs.targetRoleArn });
    return { Version: '2012-10-17', Statement: statements };
}
/**
 * The trust policy of a role the action assumes in `accountId`: the jobs of `subject` with their OIDC token, or with
 * role-chaining the principal of the environment's credentials (the source account when not known) with sts:AssumeRole.
 */
function roleTrustPolicy(inputs, accountId) {
    if (inputs.roleChaining) {
        const principal = (0,trust_policy/* chainingPrincipal */.EH)(inputs.partition, inputs.sourceAccountId, inputs.chainingPrincipalArn);
        return { Version: '2012-10-17', Statement: [{ Sid: 'RoleChainingPrincipal', ...(0,trust_policy/* assumeRoleTrustStatement */._C)(principal) }] };
    }
    const subject = (0,trust_policy/* githubSubject */.Eg)(inputs.repository, inputs.subject ?? trust_policy/* DEFAULT_SUBJECT */.VM);
    const statement = (0,trust_policy/* githubOidcTrustStatement */.O2)(inputs.partition, accountId, inputs.audience, subject);
    return { Version: '2012-10-17', Statement: [{ Sid: 'GitHubActionsOidc', ...statement }] };
}
/** The IAM policies, trust policy and key-policy statements a promotion needs, with the real ARNs, in a stable order. */
function generatePolicies(inputs) {
    const extraKeys = generate_unique(inputs.extraSourceKeyArns.filter((arn) => arn !== inputs.kmsKeyArn)).sort();
    const targetKeys = generate_unique(inputs.targetRegions.flatMap((region) => inputs.targetKeyArns[region] ?? []));
    return {
        sourceRoleIamPolicy: sourceRoleIamPolicy(inputs, extraKeys),
        keyPolicyStatements: targetRoleKeyStatements(inputs.targetRoleArn, inputs.targetAccountId),
        targetRoleIamPolicy: targetRoleIamPolicy(inputs, targetKeys),
        targetTrustPolicy: roleTrustPolicy(inputs, inputs.targetAccountId),
        autoscalingKeyStatements: targetKeys.length > 0 ? autoScalingKeyStatements(inputs.partition, inputs.targetAccountId) : [],
        recipientKeyStatements: (0,policy_recipients/* recipientsOf */.wX)(inputs.shareWith ?? [], inputs.targetAccountId).flatMap((r) => recipientKeyStatements(r, inputs.partition)),
    };
}

;// CONCATENATED MODULE: ./src/domain/lookups/key-probe.ts





/** Whether the target role can reach the CMK (DescribeKey with target credentials). */
async function probeTargetKeyAccess(ctx, keyArn) {
    try {
        await ctx.target.kms(ctx.request.kmsKey.region).send(new client_kms_dist_cjs/* DescribeKeyCommand */.spV({ KeyId: keyArn }), { abortSignal: ctx.signal });
        return { ok: true };
    }
    catch (error) {
        if ((0,classify/* isAccessDenied */.w7)(error) || (0,errors/* errorName */.Is)(error) === 'NotFoundException')
            return { ok: false, reason: `${(0,errors/* errorName */.Is)(error)}: ${(0,errors/* errorMessage */.gJ)(error)}` };
        if (ctx.signal.aborted)
            throw error;
        throw (0,explain/* explainAwsError */.Ni)(error, {
            what: `Checking that the target role may use ${keyArn}`,
            ...siteOf(ctx.target, ctx.request.kmsKey.region),
            action: 'kms:DescribeKey',
            resource: keyArn,
        });
    }
}
/** Grants and key-policy changes are eventually consistent: retry the probe until it passes or time runs out. */
async function waitForTargetKeyAccess(ctx, keyArn, limitMs) {
    const until = Math.min(ctx.deadline, ctx.clock.now() + limitMs);
    let delay = 1_000;
    for (;;) {
        const result = await probeTargetKeyAccess(ctx, keyArn);
        if (result.ok || ctx.clock.now() + delay > until)
            return result;
        await ctx.clock.sleep(delay, ctx.signal);
        delay = Math.min(delay * 2, 15_000);
    }
}

;// CONCATENATED MODULE: ./src/domain/steps/key-access.ts












const GRANT_OPERATIONS = grantOperations(actionsOf(COPY_READ_KEY));
const GRANT_WAIT_MS = 5 * 60_000;
const POLICY_WAIT_MS = 2 * 60_000;
const json = (value) => JSON.stringify(value, null, 2);
/** The key policy checked for the target role's EBS copy in every target region: a region it fails in, else one it cannot tell for. */
function evaluateForTarget(ctx, key, policy, assumptions) {
    const reports = ctx.target.spec.regions.map((region) => checkTargetCopyAccess(policy, { keyArn: key.arn, roleArn: ctx.target.spec.role.arn, region, assumptions }));
    return reports.find((report) => copyVerdict(report) === 'not-ok') ?? reports.find((report) => !report.ok) ?? reports[0];
}
/** The key policy for the target role: EC2's calls for the copy, and a DescribeKey by the role itself (the probe). */
function assessForTarget(ctx, key, policy, assumptions) {
    return {
        copy: evaluateForTarget(ctx, key, policy, assumptions),
        probe: checkDirectDescribeKey(policy, { keyArn: key.arn, roleArn: ctx.target.spec.role.arn, assumptions }),
    };
}
/**
 * Why a DescribeKey probe with the target credentials can never pass, from the key policy; undefined when it
 * can. With key-access: grant the grant allows DescribeKey whatever the key policy says, unless it explicitly
 * denies it ("No AWS principal has any permissions to a KMS key unless that permission is provided explicitly
 * and never denied": https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html).
 */
function probeCannotPass(ctx, { copy, probe }) {
    const denied = probe.decision === 'explicit-deny' || (ctx.request.keyAccess !== 'grant' && probe.decision === 'implicit-deny');
    if (!denied)
        return undefined;
    const requests = `direct calls by ${ctx.target.spec.role.arn}`;
    const notes = probe.decision === 'explicit-deny' ? denialNotes(probe.conditions, requests) : exclusionNotes(probe.conditions, requests);
    const allowedBy = [...new Set(copy.actions.flatMap((a) => a.evaluation.statements))].map((s) => `"${s}"`).join(', ');
    const copyPart = copyVerdict(copy) === 'ok' ? `; the copy's calls through EC2 are allowed by statement ${allowedBy}` : '';
    return `DescribeKey with the target credentials is denied by the key policy${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${copyPart}.`;
}
/** The refusal for a probe the role's IAM policy (or, when given, key-policy conditions that cannot be checked) may be what denies. */
function identityAccessError(ctx, key, reason, assessment) {
    const unknown = assessment ? unknownNotes(assessment.probe.conditions) : [];
    const conditions = unknown.length > 0 ? ` The key policy allows it only under conditions the source account cannot check, which may be what denies it: ${unknown.join('; ')}.` : '';
    return new errors/* PromotionError */.g1({
        what: `Checking that the target role may use ${key.arn}`,
        side: 'target',
        accountId: ctx.target.identity.accountId,
        region: key.region,
        why: `the target role cannot reach the source key (${reason}). Across accounts, the role's own IAM policy must allow the key as well as the key policy.${conditions}`,
        fix: `Add these statements to the IAM policy of ${ctx.target.spec.role.arn}:\n${json(targetRoleSourceKeyStatements(key.arn))}`,
    });
}
function assessOrSkip(ctx, key, policy) {
    try {
        return policy === undefined ? undefined : assessForTarget(ctx, key, policy);
    }
    catch {
        // A policy this evaluator cannot read says nothing about the probe: probe.
        return undefined;
    }
}
/**
 * Proves with the target credentials that the role can reach the key, waiting up to waitMs for a grant or a
 * key-policy change to take effect. With the key policy given, a probe that can never pass is not made.
 */
async function requireTargetIdentityAccess(ctx, key, waitMs, policy) {
    const assessment = assessOrSkip(ctx, key, policy);
    const cannot = assessment && probeCannotPass(ctx, assessment);
    if (cannot) {
        // The grant cannot be seen taking effect: "less than five minutes", usually seconds.
        // https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-eventual-consistency
        const grantNote = ctx.request.keyAccess === 'grant' ? ' Whether the grant has taken effect cannot be seen; grants usually do within seconds.' : '';
        ctx.log.info(`Not probing ${key.arn} with the target credentials: ${cannot}${grantNote}`);
        return;
    }
    const probe = waitMs > 0 ? await waitForTargetKeyAccess(ctx, key.arn, waitMs) : await probeTargetKeyAccess(ctx, key.arn);
    if (!probe.ok)
        throw identityAccessError(ctx, key, probe.reason, assessment);
}
/** key-access: grant — a grant on the CMK for the target role, retired by cleanup. */
async function grantKeyAccess(ctx, key) {
    const { request } = ctx;
    const role = ctx.target.spec.role;
    const grantName = `promote-ami-${request.provenance.runId ?? 'local'}-${ctx.target.identity.accountId}-${shortHash(request.sourceAmiId)}`;
    const response = await (0,explain/* call */.T1)({
        what: `Creating a grant on ${key.arn} for ${role.arn}`,
        ...siteOf(ctx.source, key.region),
        action: 'kms:CreateGrant',
        resource: key.arn,
    }, () => ctx.source.kms(key.region).send(new client_kms_dist_cjs/* CreateGrantCommand */.Y_D({
        KeyId: key.arn,
        GranteePrincipal: role.arn,
        RetiringPrincipal: ctx.source.identity.principalArn,
        Operations: GRANT_OPERATIONS,
        Name: grantName,
    })));
    const grantId = response.GrantId;
    ctx.journal.record({ kind: 'grant', region: key.region, keyArn: key.arn, grantId, grantName });
    ctx.log.info(`Granted ${role.arn} ${GRANT_OPERATIONS.join(', ')} on ${key.arn} (grant ${grantName}); waiting until it takes effect.`);
    // The key policy only tells whether the probe can pass at all: without it, probe.
    const policy = await readKeyPolicy(ctx, key, true).catch(() => undefined);
    await requireTargetIdentityAccess(ctx, key, GRANT_WAIT_MS, policy);
    return { changes: [`grant ${grantName} on ${key.arn} (retired by cleanup)`] };
}
/** key-access: key-policy — adds the missing statements for the target role, keeping every other statement as it is. */
async function addKeyPolicyStatements(ctx, key) {
    const site = {
        ...siteOf(ctx.source, key.region),
        resource: key.arn,
    };
    const policy = (await readKeyPolicy(ctx, key, false));
    // Read again right before writing it back; an explicit Deny was refused by the preflight.
    const report = evaluateForTarget(ctx, key, policy);
    const result = { changes: [] };
    let effective = policy;
    if (report.statementsToAdd.length === 0) {
        const unknown = unknownNotes(report.actions.flatMap((a) => a.evaluation.conditions));
        const how = unknown.length > 0 ? `may allow ${ctx.target.spec.role.arn} (under conditions the source account cannot check: ${unknown.join('; ')})` : `already allows ${ctx.target.spec.role.arn}`;
        ctx.log.info(`The key policy of ${key.arn} ${how}; not changed.`);
    }
    else {
        const document = JSON.parse(policy);
        const existing = document.Statement === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement];
        const sids = new Set(existing.map((s) => s.Sid));
        // A statement id already taken (e.g. by a statement for an earlier role) gets a distinct one: dropping the
        // statement would leave the access missing, and the existing statement is never changed.
        const added = report.statementsToAdd.map((s) => (sids.has(s.Sid) ? { ...s, Sid: `${s.Sid}${shortHash(ctx.target.spec.role.arn)}` } : s));
        document.Statement = [...existing, ...added];
        effective = JSON.stringify(document, null, 2);
        await (0,explain/* call */.T1)({ ...site, what: `Adding statements for ${ctx.target.spec.role.arn} to the key policy of ${key.arn}`, action: 'kms:PutKeyPolicy' }, () => ctx.source.kms(key.region).send(new client_kms_dist_cjs/* PutKeyPolicyCommand */.Ocb({ KeyId: key.arn, PolicyName: 'default', Policy: effective })));
        for (const statement of added)
            ctx.journal.record({ kind: 'key-policy-statement', region: key.region, keyArn: key.arn, sid: statement.Sid ?? '' });
        const change = `key policy of ${key.arn}: added ${added.map((s) => s.Sid).join(', ')} for ${ctx.target.spec.role.arn} (kept after the run)`;
        ctx.log.warning(`Changed the ${change}.`);
        result.changes.push(change);
    }
    await requireTargetIdentityAccess(ctx, key, POLICY_WAIT_MS, effective);
    return result;
}

;// CONCATENATED MODULE: ./src/domain/preflight/probe-findings.ts







const PROBE_CHECK = 'The target role can reach the source key';
const probe_findings_json = (value) => JSON.stringify(value, null, 2);
function refusal(error) {
    return { check: PROBE_CHECK, side: 'target', status: 'missing', detail: error.details.why, fix: error.details.fix, error };
}
const probeWorks = (key) => ({ check: PROBE_CHECK, side: 'target', status: 'ok', detail: `DescribeKey on ${key.arn} with the target credentials works.` });
/** A probe that passed settles the conditions on the role's organization (or tags) for the copy as well. */
function passedFindings(ctx, key, { copy }, inference) {
    const probe = [probeWorks(key)];
    if (copyVerdict(copy) !== 'unknown' || inference.verdict !== 'ok')
        return { probe };
    const conditions = unknownNotes(copy.actions.flatMap((a) => a.evaluation.conditions)).join('; ');
    return {
        probe,
        settled: `${ctx.target.spec.role.arn} may use ${key.arn} for EBS copies (its own IAM policy must allow it too): the key policy's conditions that the source account cannot check hold for the role, as its DescribeKey probe passed (${conditions}).`,
    };
}
/** A denied probe, where the key policy's conditions on the role's organization may be what denies it. */
function conditionalDenial(ctx, key, assessment, inference, reason) {
    const role = ctx.target.spec.role.arn;
    const account = ctx.target.identity.accountId;
    const conditions = unknownNotes(assessment.probe.conditions).join('; ');
    const why = `DescribeKey on ${key.arn} with the target credentials is denied (${reason}). The key policy allows ${role} only under conditions the source account cannot check: ${conditions}. Either account ${account} does not meet them, or the role's own IAM policy does not allow the key.`;
    const fix = `If account ${account} does not meet those conditions, add these statements to the key policy of ${key.arn} (or change the conditions to include it):\n${probe_findings_json(targetRoleKeyStatements(role, account))}\nOtherwise add these statements to the IAM policy of ${role}:\n${probe_findings_json(targetRoleSourceKeyStatements(key.arn))}`;
    if (inference.verdict === 'not-ok')
        return missingFinding(PROBE_CHECK, { side: 'target', accountId: account, region: key.region, why, fix });
    return { check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: `${why} EC2's calls for the copy may still be allowed.`, fix };
}
/**
 * verify: the DescribeKey probe with the target credentials, made only when the key policy lets it pass, and
 * read together with the key policy: what it proves about conditions the source account cannot check.
 */
async function probeFindings(ctx, key, keyPolicy, assessment, policyMissing) {
    const only = (probe) => ({ probe });
    if (ctx.request.keyAccess !== 'verify')
        return only([]);
    // A key policy that lacks the role makes the probe fail too.
    if (policyMissing) {
        return only([{ check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: 'not probed: DescribeKey cannot pass until the key policy allows the target role (see above).' }]);
    }
    const cannot = assessment && probeCannotPass(ctx, assessment);
    if (cannot)
        return only([{ check: PROBE_CHECK, side: 'target', status: 'unchecked', detail: `not probed: ${cannot}` }]);
    const failed = [];
    const result = await attempt(failed, PROBE_CHECK, 'target', () => probeTargetKeyAccess(ctx, key.arn));
    if (!result)
        return only(failed);
    if (!assessment || keyPolicy === undefined) {
        return only([result.ok ? probeWorks(key) : refusal(identityAccessError(ctx, key, result.reason))]);
    }
    const inference = inferFromProbe((assumptions) => assessForTarget(ctx, key, keyPolicy, assumptions), result.ok);
    if (result.ok)
        return passedFindings(ctx, key, assessment, inference);
    if (!inference.keyPolicyMayDeny)
        return only([refusal(identityAccessError(ctx, key, result.reason))]);
    return only([conditionalDenial(ctx, key, assessment, inference, result.reason)]);
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-iam/dist-cjs/index.js
var client_iam_dist_cjs = __webpack_require__(6764);
;// CONCATENATED MODULE: ./src/domain/preflight/policy-inputs.ts



/** What the request asks the target role to do after the copy, as the generator's inputs say it. */
function finishingFeatures(request) {
    return {
        shareWith: request.shareWith,
        launchTemplates: request.launchTemplates.length > 0,
        launchTemplateDefault: request.launchTemplateDefault,
        retire: request.retire.mode,
        deregistrationProtection: request.deregistrationProtection,
        deprecation: request.deprecateAfterDays !== undefined,
    };
}
/**
 * The generator's inputs for one target account, from the request and what the preflight discovered (resolved key ARNs).
 * `chainedFrom`: with role-chaining, the principal of the credentials in the environment that assume the roles.
 */
function policyInputs(ctx, pre, audience, chainedFrom) {
    const { request, target } = ctx;
    const keys = pre.targets.find((t) => t.target.identity.accountId === target.identity.accountId)?.knownKeys ?? [];
    const kmsKeyArn = pre.sourceKey?.arn ?? request.kmsKey.arn;
    const snapshotKeys = (pre.sourceImage?.snapshots ?? []).flatMap((s) => (s.kmsKeyId && s.kmsKeyId !== kmsKeyArn ? [s.kmsKeyId] : []));
    return {
        partition: target.spec.role.partition,
        sourceAccountId: ctx.source.identity.accountId,
        targetAccountId: target.identity.accountId,
        sourceRegion: request.sourceRegion,
        targetRegions: target.spec.regions,
        kmsKeyArn,
        sourceRoleArn: request.sourceRole?.arn,
        targetRoleArn: target.spec.role.arn,
        targetKeyArns: Object.fromEntries(keys.map((k) => [k.region, k.arn])),
        extraSourceKeyArns: [...new Set(snapshotKeys)],
        reencrypt: pre.sourceImage && pre.sourceKey ? !isSharableAsIs(pre.sourceImage, pre.sourceKey.arn) : undefined,
        keyAccess: request.keyAccess,
        autoscalingAccess: request.autoscalingAccess,
        ssmParameter: request.ssmParameter,
        ...finishingFeatures(request),
        lineage: request.lineage,
        copyMethod: request.copyMethod,
        repository: request.provenance.repository,
        audience,
        roleChaining: chainedFrom !== undefined,
        chainingPrincipalArn: chainedFrom,
    };
}
/**
 * One source-role policy for every target: the first target's statements, then each other target's statements that
 * differ (such as a grant to that target's role), their Sid suffixed with the account, since in IAM a Sid is unique
 * within a policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
 */
function sourcePolicyForEvery(policies) {
    const [first, ...others] = policies.map(({ accountId, policy }) => ({ accountId, statements: policy.Statement }));
    const statements = [...(first?.statements ?? [])];
    const known = new Set(statements.map((s) => JSON.stringify(s)));
    for (const { accountId, statements: theirs } of others) {
        for (const statement of theirs.filter((s) => !known.has(JSON.stringify(s)))) {
            known.add(JSON.stringify(statement));
            statements.push(statement.Sid === undefined ? statement : { ...statement, Sid: `${statement.Sid}${accountId}` });
        }
    }
    return { Version: '2012-10-17', Statement: statements };
}
/** The policies a promotion to every target account needs (generatePolicies once per target account). */
function policiesForTargets(ctx, pre, audience, chainedFrom) {
    const each = ctx.targets.map((target) => ({
        accountId: target.identity.accountId,
        policies: generatePolicies(policyInputs(forTarget(ctx, target), pre, audience, chainedFrom)),
    }));
    const [first] = each;
    if (!first)
        throw new Error('A promotion has at least one target account.');
    return {
        ...first.policies,
        sourceRoleIamPolicy: sourcePolicyForEvery(each.map(({ accountId, policies }) => ({ accountId, policy: policies.sourceRoleIamPolicy }))),
        keyPolicyStatements: each.flatMap(({ policies }) => policies.keyPolicyStatements),
        targets: Object.fromEntries(each.map(({ accountId, policies: p }) => [
            accountId,
            { targetRoleIamPolicy: p.targetRoleIamPolicy, targetTrustPolicy: p.targetTrustPolicy, autoscalingKeyStatements: p.autoscalingKeyStatements, keyPolicyStatements: p.keyPolicyStatements },
        ])),
    };
}

;// CONCATENATED MODULE: ./src/domain/preflight/ec2-simulations.ts





/**
 * A context entry of SimulatePrincipalPolicy: the simulator knows no request, so the keys the generated policies test
 * are passed as EC2 would send them (ContextKeyName, ContextKeyValues, ContextKeyType).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html
 */
function contextEntry(name, value, type = 'string') {
    return { ContextKeyName: name, ContextKeyValues: [value], ContextKeyType: type };
}
/** The EC2 actions the target role needs for this request (the finishing steps run after the copy: a permission missing there fails the run late). */
function targetNeeds(ctx) {
    const { images, templates } = finishingNeeds(finishingFeatures(ctx.request));
    return [...targetCopyNeeds(ctx.request.copyMethod), ...TARGET_EC2.cleanup, ...images, ...templates, ...TARGET_RETIRE[ctx.request.retire.mode]];
}
const isImageAction = (action) => /Image/.test(action) && action !== 'ec2:CopyImage' && action !== 'ec2:RegisterImage';
/** CopyImage on the shared AMI (its owner) and its snapshots, and with CreateTags on the new image and snapshots. */
function copySimulations(ctx, region) {
    const { partition } = ctx.target.spec.role;
    const { request } = ctx;
    const atCopy = [contextEntry(KEYS.requestTag(tag_keys/* TAG */.Dk.role), tag_keys/* ROLE_PROMOTED */.qZ), contextEntry(KEYS.createAction, 'CopyImage')];
    return [
        { label: 'the copy of the shared AMI', actions: ['ec2:CopyImage'], resource: (0,aws_arn/* imageArn */.pq)(partition, request.sourceRegion, request.sourceAmiId), context: [contextEntry(KEYS.owner, ctx.source.identity.accountId)] },
        { label: "the copy of the shared AMI's snapshots", actions: ['ec2:CopyImage'], resource: (0,aws_arn/* snapshotArn */.mi)(partition, request.sourceRegion, '*'), context: [] },
        { label: 'the new copies tagged at creation', actions: ['ec2:CopyImage', 'ec2:CreateTags'], resource: (0,aws_arn/* imageArn */.pq)(partition, region, '*'), context: atCopy },
        { label: "the new copies' snapshots tagged at creation", actions: ['ec2:CopyImage', 'ec2:CreateTags'], resource: (0,aws_arn/* snapshotArn */.mi)(partition, region, '*'), context: atCopy },
    ];
}
/**
 * copy-method snapshots: CopySnapshot of the shared snapshots, the copies tagged at creation (CreateTags with
 * ec2:CreateAction CopySnapshot), RegisterImage of the new AMI tagged at creation and from the promoted snapshot copies.
 */
function snapshotCopySimulations(ctx, region) {
    const { partition } = ctx.target.spec.role;
    const tagged = (action) => [contextEntry(KEYS.requestTag(tag_keys/* TAG */.Dk.role), tag_keys/* ROLE_PROMOTED */.qZ), contextEntry(KEYS.createAction, action)];
    return [
        { label: 'the copy of the shared snapshots', actions: ['ec2:CopySnapshot'], resource: (0,aws_arn/* snapshotArn */.mi)(partition, ctx.request.sourceRegion, '*'), context: [] },
        { label: 'the snapshot copies tagged at creation', actions: ['ec2:CopySnapshot', 'ec2:CreateTags'], resource: (0,aws_arn/* snapshotArn */.mi)(partition, region, '*'), context: tagged('CopySnapshot') },
        { label: 'the registered AMIs tagged at creation', actions: ['ec2:RegisterImage', 'ec2:CreateTags'], resource: (0,aws_arn/* imageArn */.pq)(partition, region, '*'), context: tagged('RegisterImage') },
        { label: 'the snapshot copies AMIs are registered from', actions: ['ec2:RegisterImage'], resource: (0,aws_arn/* snapshotArn */.mi)(partition, region, '*'), context: [contextEntry(KEYS.resourceTag(tag_keys/* TAG */.Dk.role), tag_keys/* ROLE_PROMOTED */.qZ)] },
    ];
}
/**
 * The EC2 simulations of the target role, each on the resource ARN EC2 authorizes the call on and with the condition
 * keys it sends, so that a policy as narrow as the generated one (src/policy/ec2-statements.ts) is reported as allowed:
 * the actions without resource-level permissions on "*" in the first target region; CopyImage on the shared AMI (its
 * owner) and its snapshots, and with CreateTags on the new image and snapshots tagged at creation; what acts on
 * promoted AMIs and their snapshots with their tags; launch templates on their ARNs. IDs not known yet are "*".
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
function ec2Simulations(ctx) {
    const region = ctx.target.spec.regions[0];
    const { partition } = ctx.target.spec.role;
    const { request } = ctx;
    const accountId = ctx.target.identity.accountId;
    const { unscoped, scoped } = byResourceLevel(targetNeeds(ctx));
    const actions = (test) => [...new Set(requiredActions(scoped).filter(test))];
    const promoted = [contextEntry(KEYS.resourceTag(tag_keys/* TAG */.Dk.role), tag_keys/* ROLE_PROMOTED */.qZ), ...(request.lineage ? [contextEntry(KEYS.resourceTag(tag_keys/* TAG */.Dk.lineage), request.lineage)] : [])];
    const list = [
        { label: 'EC2 calls without resource-level permissions', actions: requiredActions(unscoped), resource: '*', context: [contextEntry(KEYS.requestedRegion, region)] },
        ...(request.copyMethod === 'snapshots' ? snapshotCopySimulations(ctx, region) : copySimulations(ctx, region)),
        { label: 'the promoted AMIs', actions: actions(isImageAction), resource: (0,aws_arn/* imageArn */.pq)(partition, region, '*'), context: promoted },
        { label: "the promoted AMIs' snapshots", actions: actions((action) => action === 'ec2:DeleteSnapshot'), resource: (0,aws_arn/* snapshotArn */.mi)(partition, region, '*'), context: promoted },
    ];
    const templates = actions((action) => action.includes('LaunchTemplate'));
    if (templates.length > 0)
        list.push({ label: 'the launch templates', actions: templates, resource: (0,aws_arn/* launchTemplateArn */.DG)(partition, region, accountId, '*'), context: [] });
    return list;
}

;// CONCATENATED MODULE: ./src/domain/preflight/simulate-target.ts








/**
 * The keys EC2's calls on the role's behalf carry: kms:ViaService, kms:CallerAccount (the role's account) and,
 * on CreateGrant, kms:GrantIsForAWSResource.
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
 */
function ec2Context(region, accountId) {
    return [contextEntry('kms:ViaService', ec2ViaService(region)), contextEntry('kms:CallerAccount', accountId), contextEntry('kms:GrantIsForAWSResource', 'true', 'boolean')];
}
/** Simulations of the target role's policies for everything the copy needs, with the source key policy as resource policy. */
function simulations(ctx, sourceKeyArn, sourceKeyPolicy, targetKeys) {
    const region = ctx.target.spec.regions[0];
    const { partition } = ctx.target.spec.role;
    const { request } = ctx;
    const list = ec2Simulations(ctx).filter((sim) => sim.actions.length > 0);
    // A grant needs no identity policy; with key-policy the key policy is about to change, so only IAM is simulated.
    if (ctx.request.keyAccess !== 'grant') {
        const withPolicy = ctx.request.keyAccess === 'verify' && sourceKeyPolicy !== undefined;
        list.push({
            label: `the source key ${sourceKeyArn}`,
            actions: requiredActions(COPY_READ_KEY),
            resource: sourceKeyArn,
            resourcePolicy: withPolicy ? sourceKeyPolicy : undefined,
            resourceOwner: withPolicy ? (0,aws_arn/* accountRootArn */.hd)(partition, ctx.request.kmsKey.accountId) : undefined,
            context: ec2Context(region, ctx.target.identity.accountId),
        });
    }
    for (const key of targetKeys) {
        if (key.arn && key.keyManager === 'CUSTOMER') {
            list.push({ label: `the target key ${key.arn}`, actions: requiredActions(COPY_WRITE_KEY), resource: key.arn, context: ec2Context(key.region, ctx.target.identity.accountId), ownAccountKey: true });
            // autoscaling-access: grant — the target role itself lists the grants and creates one (not for an AWS resource).
            if (request.autoscalingAccess === 'grant') {
                const grantee = autoScalingServiceLinkedRoleArn(partition, ctx.target.identity.accountId);
                list.push({
                    label: `the Auto Scaling grant on the target key ${key.arn}`,
                    actions: requiredActions([...TARGET_AUTOSCALING.grant, AUTOSCALING_GRANT]),
                    resource: key.arn,
                    context: [contextEntry('kms:GranteePrincipal', grantee)],
                });
            }
        }
    }
    if (ctx.request.ssmParameter) {
        for (const r of ctx.target.spec.regions) {
            const resource = (0,aws_arn/* ssmParameterArn */.Yx)(partition, r, ctx.target.identity.accountId, ctx.request.ssmParameter);
            list.push({ label: `the SSM parameter in ${r}`, actions: requiredActions([TARGET_PUBLISH]), resource, context: [] });
        }
    }
    return list;
}
/** The simulation itself is not allowed: nothing could be checked. */
const NOT_ALLOWED = Symbol('not allowed');
function denied(results) {
    return {
        implicit: results.filter((r) => r.EvalDecision === 'implicitDeny').map((r) => r.EvalActionName ?? ''),
        explicit: results.filter((r) => r.EvalDecision === 'explicitDeny').map((r) => r.EvalActionName ?? ''),
    };
}
/** One SimulatePrincipalPolicy call for the role, with the key policy as resource policy when asked. */
async function simulate(ctx, sim, withResourcePolicy) {
    const role = ctx.target.spec.role.arn;
    const response = await ctx.target.iam(ctx.request.sourceRegion).send(new client_iam_dist_cjs/* SimulatePrincipalPolicyCommand */.kUw({
        PolicySourceArn: role,
        ActionNames: sim.actions,
        ResourceArns: [sim.resource],
        ResourcePolicy: withResourcePolicy ? sim.resourcePolicy : undefined,
        ResourceOwner: withResourcePolicy ? sim.resourceOwner : undefined,
        CallerArn: withResourcePolicy ? role : undefined,
        ContextEntries: sim.context.length ? sim.context : undefined,
    }));
    return response.EvaluationResults ?? [];
}
/** The results, with the key policy when the simulator takes it; a note says when it was evaluated without. */
async function results(ctx, sim) {
    try {
        return { results: await simulate(ctx, sim, sim.resourcePolicy !== undefined), note: '' };
    }
    catch (error) {
        // IAM's simulator takes a resource policy only with an IAM user as CallerArn: for a role it may refuse it.
        // The key policy is evaluated on its own; the identity policies alone are still worth simulating.
        if (sim.resourcePolicy === undefined || (0,classify/* isAccessDenied */.w7)(error))
            throw error;
        return { results: await simulate(ctx, sim, false), note: ` (its IAM policy alone: the simulator refused the key policy as resource policy: ${(0,errors/* errorMessage */.gJ)(error)})` };
    }
}
/** The findings of one simulation: explicit and implicit denies, or ok. */
function verdicts(role, sim, evaluated, note) {
    const check = `The target role's IAM policy allows ${sim.label}`;
    const { implicit, explicit } = denied(evaluated);
    const findings = [];
    if (explicit.length > 0) {
        findings.push({ check, side: 'target', status: 'missing', detail: `an explicit Deny blocks ${explicit.join(', ')} on ${sim.resource}${note}.`, fix: `Remove the Deny for these actions from the policies (or permissions boundary / SCP) of ${role}.` });
    }
    if (implicit.length > 0) {
        const fix = (0,explain/* identityPolicyFix */.Q5)(role, implicit, sim.resource);
        findings.push(sim.ownAccountKey
            ? { check, side: 'target', status: 'warning', detail: `${implicit.join(', ')} on ${sim.resource} is not allowed by the role's IAM policy${note}; the copy still works if the key's own policy names the role.`, fix }
            : { check, side: 'target', status: 'missing', detail: `${implicit.join(', ')} on ${sim.resource} is not allowed${note}.`, fix });
    }
    if (findings.length === 0)
        findings.push({ check, side: 'target', status: 'ok', detail: `${sim.actions.join(', ')} allowed${note}.` });
    return findings;
}
async function findingsOf(ctx, sim) {
    try {
        const { results: evaluated, note } = await results(ctx, sim);
        return verdicts(ctx.target.spec.role.arn, sim, evaluated, note);
    }
    catch (error) {
        if ((0,classify/* isAccessDenied */.w7)(error))
            return NOT_ALLOWED;
        // One simulation failing says nothing about the others.
        return [{ check: `The target role's IAM policy allows ${sim.label}`, side: 'target', status: 'unchecked', detail: `the simulation failed (${(0,errors/* errorMessage */.gJ)(error)}).` }];
    }
}
/**
 * Target side: simulates the target role's identity policies (iam:SimulatePrincipalPolicy on itself) for the
 * copy. Without that permission, says what could not be checked.
 */
async function simulateTargetRole(ctx, sourceKeyArn, sourceKeyPolicy, targetKeys) {
    // The first one alone: when the role may not simulate at all, one denied call says so.
    const [first, ...rest] = simulations(ctx, sourceKeyArn, sourceKeyPolicy, targetKeys);
    const outcomes = [await findingsOf(ctx, first)];
    if (outcomes[0] !== NOT_ALLOWED)
        outcomes.push(...(await Promise.all(rest.map((sim) => findingsOf(ctx, sim)))));
    if (!outcomes.includes(NOT_ALLOWED))
        return outcomes.flat();
    return [
        {
            check: "The target role's IAM policy (simulated)",
            side: 'target',
            status: 'unchecked',
            detail: `the target role may not call iam:SimulatePrincipalPolicy on itself; only the DescribeKey probe and the copy itself test the target role's IAM policy.`,
            fix: `To have it checked, allow iam:SimulatePrincipalPolicy on ${ctx.target.spec.role.arn} to that role.`,
        },
    ];
}

;// CONCATENATED MODULE: ./src/domain/preflight/source-key-findings.ts








const source_key_findings_json = (value) => JSON.stringify(value, null, 2);
const KEY_POLICY_CHECK = 'The source key policy lets the target role copy';
/** Who the copy's KMS requests come from, for the condition notes. */
const copyRequests = (ctx) => `EC2's calls for the copy (on behalf of ${ctx.target.spec.role.arn})`;
function unreadableFindings(ctx, key) {
    // key-access: key-policy must read the policy to rewrite it: the run would stop there.
    if (ctx.request.keyAccess === 'key-policy') {
        return [
            missingFinding(KEY_POLICY_CHECK, {
                side: 'source',
                accountId: key.accountId,
                region: key.region,
                why: `the source role may not read the key policy of ${key.arn}; key-access: key-policy reads it and writes it back.`,
                fix: (0,explain/* identityPolicyFix */.Q5)(ctx.source.identity.principalArn, ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], key.arn),
            }),
        ];
    }
    return [{ check: KEY_POLICY_CHECK, side: 'source', status: 'unchecked', detail: `the source role may not read the key policy of ${key.arn}.`, fix: `Allow kms:GetKeyPolicy on ${key.arn} to the source role.` }];
}
function explicitDenyFinding(ctx, key, report) {
    const blocked = report.actions.filter((a) => a.status === 'explicit-deny');
    if (blocked.length === 0)
        return undefined;
    const list = blocked.map((a) => `${a.action} (statement ${a.evaluation.statements.join(', ')})`).join(', ');
    const notes = denialNotes(blocked.flatMap((a) => a.evaluation.conditions), copyRequests(ctx));
    return missingFinding(KEY_POLICY_CHECK, {
        side: 'source',
        accountId: key.accountId,
        region: key.region,
        why: `the key policy explicitly denies the target role ${list}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}; an explicit Deny wins over every Allow and every grant.`,
        fix: `Remove or narrow that Deny statement in the key policy of ${key.arn} so that it does not apply to ${ctx.target.spec.role.arn}.`,
    });
}
/** One unchecked finding per set of reasons, naming the actions they concern. */
function unknownFindings(report) {
    const byReasons = new Map();
    for (const a of report.actions.filter((action) => action.status === 'unknown')) {
        const reasons = a.evaluation.unknownReasons.join('; ');
        byReasons.set(reasons, [...(byReasons.get(reasons) ?? []), a.action]);
    }
    return [...byReasons].map(([reasons, actions]) => ({
        check: KEY_POLICY_CHECK,
        side: 'source',
        status: 'unchecked',
        detail: `a condition could not be evaluated for ${actions.join(', ')}: ${reasons}.`,
    }));
}
function missingActionsFinding(ctx, key, report) {
    const missing = report.actions.filter((a) => a.status === 'missing');
    const actions = missing.map((a) => a.action).join(', ');
    if (ctx.request.keyAccess !== 'verify') {
        const how = ctx.request.keyAccess === 'grant' ? 'a temporary grant will allow' : 'the action will add statements for';
        return { check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `the key policy lacks ${actions}; ${how} it.` };
    }
    const conditions = missing.flatMap((a) => a.evaluation.conditions);
    const notes = exclusionNotes(conditions, copyRequests(ctx));
    const fixes = conditionFixes(conditions);
    const add = `${fixes.length > 0 ? `In the key policy of ${key.arn}, ${fixes.join('; ')}; or add these statements to it` : `Add these statements to the key policy of ${key.arn}`}`;
    return missingFinding(KEY_POLICY_CHECK, {
        side: 'source',
        accountId: key.accountId,
        region: key.region,
        why: `the key policy does not let ${ctx.target.spec.role.arn} (or its account) use the key for EBS copies: missing ${actions}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}.`,
        fix: `${add}:\n${source_key_findings_json(report.statementsToAdd)}\nor run with key-access: grant (a temporary grant) or key-access: key-policy (the action adds them).`,
    });
}
/** The key policy evaluated for the target role's copy; conditions that decide it are named with the request's values. */
function keyPolicyFindings(ctx, key, { copy }) {
    const denied = explicitDenyFinding(ctx, key, copy);
    if (denied)
        return [denied];
    const findings = unknownFindings(copy);
    if (copy.actions.some((a) => a.status === 'missing')) {
        findings.push(missingActionsFinding(ctx, key, copy));
    }
    else if (findings.length === 0) {
        const role = ctx.target.spec.role.arn;
        findings.push({ check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: `${role} may use ${key.arn} for EBS copies${copy.needsIdentityPolicy ? ' (its own IAM policy must allow it too)' : ''}.` });
    }
    return findings;
}
function assess(ctx, key, policy) {
    try {
        return assessForTarget(ctx, key, policy);
    }
    catch (error) {
        return (0,errors/* errorMessage */.gJ)(error);
    }
}
function policyFindingsOf(ctx, key, keyPolicy, assessment) {
    if (keyPolicy === undefined || assessment === undefined)
        return unreadableFindings(ctx, key);
    if (typeof assessment === 'string')
        return [{ check: KEY_POLICY_CHECK, side: 'source', status: 'unchecked', detail: `the key policy could not be evaluated (${assessment}).` }];
    return keyPolicyFindings(ctx, key, assessment);
}
/** The source key policy (undefined: unreadable) evaluated for the target role, the target role's DescribeKey probe and its simulation. */
async function sourceKeyFindings(ctx, key, knownKeys, keyPolicy) {
    const assessment = keyPolicy === undefined ? undefined : assess(ctx, key, keyPolicy);
    const evaluated = typeof assessment === 'object' ? assessment : undefined;
    const policyFindings = policyFindingsOf(ctx, key, keyPolicy, assessment);
    // The simulator gets the key policy only when it alone decides the copy: conditions it cannot know would fail.
    const certain = evaluated !== undefined && copyVerdict(evaluated.copy) === 'ok';
    const [probed, simulated] = await Promise.all([
        probeFindings(ctx, key, keyPolicy, evaluated, policyFindings.some((f) => f.status === 'missing')),
        simulateTargetRole(ctx, key.arn, certain ? keyPolicy : undefined, knownKeys),
    ]);
    const settled = probed.settled ? [{ check: KEY_POLICY_CHECK, side: 'source', status: 'ok', detail: probed.settled }] : undefined;
    const findings = [
        ...(settled ?? policyFindings),
        ...probed.probe,
        ...simulated.map((f) => f.status === 'missing' ? missingFinding(f.check, { side: 'target', accountId: ctx.target.identity.accountId, why: f.detail, fix: f.fix ?? '' }) : f),
    ];
    return findings;
}

;// CONCATENATED MODULE: ./src/domain/preflight/tag-budget.ts




const TAG_BUDGET_CHECK = "The tags fit EC2's limits";
const shorten = (text) => ([...text].length > 40 ? `${[...text].slice(0, 40).join('')}…` : text);
/** Why EC2 would refuse these tags, counted as EC2 counts them (mergeTags has left out aws: keys, which do not count). */
function tagProblem(tags) {
    if (tags.length > domain_tags/* TAG_LIMITS */.U5.perResource)
        return { why: `would get ${tags.length} tags; EC2 allows ${domain_tags/* TAG_LIMITS */.U5.perResource} per resource` };
    const key = tags.find((t) => (0,domain_tags/* characterCount */.Dq)(t.Key) > domain_tags/* TAG_LIMITS */.U5.keyLength);
    if (key)
        return { tag: key, why: `would get the tag key "${shorten(key.Key)}" of ${(0,domain_tags/* characterCount */.Dq)(key.Key)} characters; EC2 allows ${domain_tags/* TAG_LIMITS */.U5.keyLength}` };
    const value = tags.find((t) => (0,domain_tags/* characterCount */.Dq)(t.Value) > domain_tags/* TAG_LIMITS */.U5.valueLength);
    if (value)
        return { tag: value, why: `would get a value of ${(0,domain_tags/* characterCount */.Dq)(value.Value)} characters for the tag "${shorten(value.Key)}"; EC2 allows ${domain_tags/* TAG_LIMITS */.U5.valueLength}` };
    return undefined;
}
function fixFor(ctx, source, problem) {
    const { request } = ctx;
    const copied = request.copyTags && source.tags.length > 0;
    if (!problem.tag) {
        const ways = [
            ...(copied ? [`set copy-tags: false (the source AMI has ${source.tags.length} tags of its own) or remove some from the source AMI`] : []),
            ...(request.tags.length > 0 ? [`pass fewer tags in the tags input (it has ${request.tags.length})`] : []),
        ];
        return `Make room: ${ways.join('; or ')}. EC2 allows ${domain_tags/* TAG_LIMITS */.U5.perResource} tags per resource, this action's own promote-ami:* tags included.`;
    }
    const key = problem.tag.Key;
    if (request.tags.some((t) => t.Key === key))
        return `Shorten the tag "${shorten(key)}" in the tags input.`;
    if (copied && source.tags.some((t) => t.Key === key))
        return `Shorten the tag "${shorten(key)}" on the source AMI ${source.imageId}, or set copy-tags: false.`;
    return `The tag "${shorten(key)}" is one of this action's provenance tags: shorten the repository name or the server URL it is made of.`;
}
function taggedResources(ctx, source, sourceKey, copies) {
    const promoted = copies.flatMap(({ accountId, keys }) => keys.map((key) => ({ what: 'the promoted AMI', side: 'target', accountId, region: key.region, tags: promotedTags(ctx, source, key) })));
    const intermediate = sourceKey
        ? [{ what: 'the intermediate copy', side: 'source', accountId: ctx.source.identity.accountId, region: source.region, tags: [...intermediateTags(ctx, source, sourceKey), leaseTag(ctx)] }]
        : [];
    return [...intermediate, ...promoted];
}
/**
 * Every AMI and snapshot the promotion creates gets its tags in CopyImage, which fails as a whole (TagLimitExceeded,
 * or InvalidParameterValue for a key or value too long) when they break EC2's limits
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions). `sourceKey` is set when an
 * intermediate copy will be made; `copies` are the regions of each target account that get a new copy.
 */
function tagBudgetFindings(ctx, source, sourceKey, copies) {
    const resources = taggedResources(ctx, source, sourceKey, copies);
    if (resources.length === 0)
        return [];
    const problems = new Map();
    for (const resource of resources) {
        const problem = tagProblem(resource.tags);
        if (!problem)
            continue;
        const id = `${resource.accountId} ${resource.what} ${problem.why}`;
        const seen = problems.get(id);
        if (seen)
            seen.regions.push(resource.region);
        else
            problems.set(id, { resource, regions: [resource.region], problem });
    }
    if (problems.size === 0) {
        const targets = copies.map((c) => c.accountId);
        const where = (r) => (r.side === 'target' && targets.length > 1 ? `${r.region} of ${r.accountId}` : r.region);
        const counts = resources.map((r) => `${r.what} in ${where(r)}: ${r.tags.length}`).join(', ');
        return [{ check: TAG_BUDGET_CHECK, side: 'target', accountId: targets.join(', '), status: 'ok', detail: `tags per AMI and per snapshot: ${counts} (EC2 allows ${domain_tags/* TAG_LIMITS */.U5.perResource}).` }];
    }
    return [...problems.values()].map(({ resource, regions, problem }) => missingFinding(TAG_BUDGET_CHECK, {
        side: resource.side,
        accountId: resource.accountId,
        region: regions.join(', '),
        why: `${resource.what} and its snapshots in ${regions.join(' and ')} ${problem.why}, so CopyImage would fail before copying anything.`,
        fix: fixFor(ctx, source, problem),
    }));
}

;// CONCATENATED MODULE: ./src/domain/lookups/reuse.ts






/**
 * The available AMIs in the target account and region carrying this action's provenance for the same source, under any
 * key: asked while the target key is resolved, then narrowed to that key with promotionUnder.
 */
async function earlierPromotions(ctx, region) {
    const response = await (0,explain/* call */.T1)({
        what: `Looking for an earlier promotion of ${ctx.request.sourceAmiId}`,
        ...siteOf(ctx.target, region),
        action: 'ec2:DescribeImages',
    }, () => ctx.target.ec2(region).send(new dist_cjs/* DescribeImagesCommand */.ji5({ Owners: ['self'], Filters: reuseFilters(ctx) })));
    return response.Images ?? [];
}
/** The newest of `images` copied under `key` (its provenance tag), to reuse. */
function promotionUnder(images, key) {
    const newest = images
        .filter((image) => image.ImageId && (0,domain_tags/* tagValue */.EZ)(image.Tags, domain_tags/* TAG */.Dk.kmsKey) === key.label)
        .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
    if (!newest?.ImageId)
        return undefined;
    return {
        region: key.region,
        imageId: newest.ImageId,
        snapshotIds: snapshotIdsOf(newest),
        copiedFrom: copiedFrom(newest),
    };
}

;// CONCATENATED MODULE: ./src/domain/lookups/target-key.ts





const DEFAULT_KEY_LABEL = 'default';
async function describe(target, region, keyId) {
    const site = siteOf(target, region);
    try {
        const metadata = (await target.kms(region).send(new client_kms_dist_cjs/* DescribeKeyCommand */.spV({ KeyId: keyId }))).KeyMetadata;
        if (!metadata?.Arn)
            throw new Error('KMS returned no key metadata');
        return metadata;
    }
    catch (error) {
        if ((0,errors/* errorName */.Is)(error) === 'NotFoundException') {
            throw new errors/* PromotionError */.g1({
                what: `Resolving target-kms-key ${keyId}`,
                ...site,
                why: `no key or alias ${keyId} exists in ${region} of the target account.`,
                fix: `Create the key (or the alias) in ${region} of account ${target.identity.accountId}, or change target-kms-key / target-regions.`,
            });
        }
        throw (0,explain/* explainAwsError */.Ni)(error, {
            ...site,
            what: `Resolving target-kms-key ${keyId}`,
            action: 'kms:DescribeKey',
            resource: `arn:${target.spec.role.partition}:kms:${region}:${target.identity.accountId}:*`,
        });
    }
}
function checkUsable(target, region, metadata) {
    const problem = metadata.KeySpec !== 'SYMMETRIC_DEFAULT' || metadata.KeyUsage !== 'ENCRYPT_DECRYPT'
        ? `it is a ${metadata.KeySpec} key for ${metadata.KeyUsage}; EBS encrypts only with symmetric encryption keys`
        : metadata.KeyState !== 'Enabled'
            ? `it is ${metadata.KeyState}`
            : undefined;
    if (problem) {
        throw new errors/* PromotionError */.g1({
            what: `Checking target-kms-key ${metadata.Arn}`,
            side: 'target',
            accountId: target.identity.accountId,
            region,
            why: `${problem}.`,
            fix: 'Pass a symmetric, enabled key of the target account as target-kms-key.',
        });
    }
}
async function defaultKey(target, region) {
    const display = 'the target account\'s default EBS key';
    try {
        const response = await target.ec2(region).send(new dist_cjs/* GetEbsDefaultKmsKeyIdCommand */.O8S({}));
        return { region, label: DEFAULT_KEY_LABEL, display: response.KmsKeyId ? `${response.KmsKeyId} (default EBS key)` : display };
    }
    catch {
        // Only informative: CopyImage uses the default key without being told its ARN.
        return { region, label: DEFAULT_KEY_LABEL, display };
    }
}
/** The key of the final copy in one region of a target account, checked with that account's credentials. */
async function resolveTargetKey(target, region) {
    const spec = target.spec.key;
    if (spec.kind === 'default')
        return defaultKey(target, region);
    const metadata = await describe(target, region, spec.kind === 'arn' ? spec.key.arn : spec.aliasName);
    checkUsable(target, region, metadata);
    return { region, arn: metadata.Arn, label: metadata.Arn, display: metadata.Arn, keyManager: metadata.KeyManager };
}

;// CONCATENATED MODULE: ./src/domain/preflight/target-keys.ts



/** The target key of one region and the earlier promotions there, looked up at once. */
async function lookUpRegion(ctx, region) {
    const keyFindings = [];
    const reuseFindings = [];
    const check = `The target key in ${region}`;
    const [key, candidates] = await Promise.all([
        attempt(keyFindings, check, 'target', () => resolveTargetKey(ctx.target, region)),
        attempt(reuseFindings, `An earlier promotion in ${region}`, 'target', () => earlierPromotions(ctx, region)),
    ]);
    if (key)
        keyFindings.push({ check, side: 'target', status: 'ok', detail: `copies will use ${key.display}.` });
    return { key, existing: key && candidates ? promotionUnder(candidates, key) : undefined, keyFindings, reuseFindings };
}
/** The target key and an earlier promotion to reuse in every region of one account, regions in parallel. */
async function lookUpTarget(ctx) {
    const lookups = await Promise.all(ctx.target.spec.regions.map((region) => lookUpRegion(ctx, region)));
    const knownKeys = lookups.flatMap(({ key }) => (key ? [key] : []));
    const existing = lookups.flatMap(({ existing }) => (existing ? [existing] : []));
    const findings = [...lookups.flatMap((l) => l.keyFindings), ...lookups.flatMap((l) => l.reuseFindings)];
    for (const e of existing) {
        findings.push({ check: `An earlier promotion in ${e.region}`, side: 'target', status: 'ok', detail: `${ctx.request.sourceAmiId} was already promoted as ${e.imageId}; it is reused.` });
    }
    return {
        keys: knownKeys.length === ctx.target.spec.regions.length ? knownKeys : undefined,
        knownKeys,
        existing,
        toCopy: lookups.flatMap(({ key, existing, reuseFindings }) => (key && !existing && reuseFindings.length === 0 ? [key] : [])),
        findings,
    };
}
/** Whether every region of the account already has this promotion: nothing to copy there. */
function fullyPromoted(lookup) {
    return lookup.keys !== undefined && lookup.existing.length === lookup.keys.length;
}

;// CONCATENATED MODULE: ./src/domain/preflight/preflight.ts


















/** Whether every region of every target account already has this promotion: nothing to share or copy. */
function everythingPromoted(pre) {
    return pre.targets.every(fullyPromoted);
}
/** The checks of what follows the copy in one target account, for new and reused AMIs alike. */
async function afterCopyFindings(ctx, lookup) {
    const current = (region) => lookup.existing.filter((e) => e.region === region).map((e) => e.imageId);
    const [onward, templates, retirement] = await Promise.all([onwardSharingFindings(ctx, lookup.knownKeys), launchTemplateFindings(ctx), retirementFindings(ctx, current)]);
    return [...onward, ...templates, ...retirement];
}
/** Name checks of the regions that get a new copy, in parallel; a failed lookup is a finding of its own. */
async function nameFindings(ctx, image, keys) {
    const name = promotedName(ctx, image);
    const perRegion = await Promise.all(keys.map(async (key) => {
        const own = [];
        const finding = await attempt(own, nameCheck(key.region), 'target', () => nameFinding(ctx, key, name));
        return finding ? [finding] : own;
    }));
    return perRegion.flat();
}
async function autoscalingFindings(ctx, keys) {
    const mode = ctx.request.autoscalingAccess;
    if (mode === 'off')
        return [];
    const findings = await Promise.all(keys.map((targetKey) => checkAutoscalingAccess(ctx, targetKey)));
    return findings.flatMap((finding) => {
        if (!finding)
            return [];
        return mode === 'grant' && finding.status === 'warning' ? [{ ...finding, status: 'ok', detail: `${finding.detail} A grant for the role will be created.`, fix: undefined }] : [finding];
    });
}
/** The source AMI and key, looked up in parallel; each promise settles as soon as its own lookup is done. */
function sourceLookups(ctx, findings) {
    const image = attempt(findings, SOURCE_IMAGE_CHECK, 'source', () => inspectImage(ctx));
    const key = attempt(findings, 'The source key can be shared', 'source', () => inspectSourceKey(ctx));
    // A key ARN input is read at once; an alias ARN once it is resolved (GetKeyPolicy takes no alias). The early read
    // counts only when the key is found: a key that does not exist fails both, and the key's finding says so.
    const input = ctx.request.kmsKey;
    const early = input.kind === 'key' ? readKeyPolicy(ctx, input, true) : undefined;
    early?.catch(() => undefined);
    return { image, key, keyPolicy: key.then((k) => (k ? (early ?? readKeyPolicy(ctx, k, true)) : undefined)) };
}
/** What the source AMI and key mean for the promotion. */
function sourceFindingsOf(ctx, image, key) {
    const findings = [];
    if (image)
        findings.push(...sourceImageFindings(image, ctx.clock.now(), ctx.request.copyMethod));
    if (key)
        findings.push({ check: 'The source key can be shared', side: 'source', status: 'ok', detail: `${key.arn} is customer-managed, symmetric and enabled.` });
    const reencrypt = image && key ? !isSharableAsIs(image, key.arn) : undefined;
    if (reencrypt !== undefined && key) {
        findings.push({ check: 'Re-encryption', side: 'source', status: 'ok', detail: reencrypt ? `an intermediate copy under ${key.arn} will be made in the source account.` : 'not needed: the AMI is shared as it is.' });
    }
    return { findings, reencrypt };
}
/** The checks of one target account that need the source AMI or key, each started as soon as what it needs is known. */
async function targetChecks(ctx, lookup, source) {
    const keyChecks = async () => {
        const [key, policy] = await Promise.all([source.key, source.keyPolicy]);
        return key ? sourceKeyFindings(ctx, key, lookup.knownKeys, policy) : [];
    };
    const [names, keyFindings, autoscaling, allowed] = await Promise.all([
        source.image.then((image) => (image ? nameFindings(ctx, image, lookup.toCopy) : [])),
        keyChecks(),
        autoscalingFindings(ctx, lookup.knownKeys),
        // Allowed AMIs concerns the shared AMI CopyImage reads; copy-method snapshots registers an AMI the target owns, always allowed.
        allowedImagesFindings(ctx, ctx.request.copyMethod === 'snapshots' ? [] : lookup.toCopy.map((k) => k.region)),
    ]);
    const accounts = { source: ctx.source.identity.accountId, target: ctx.target.identity.accountId };
    return { names: placed(accounts, names), access: placed(accounts, [...keyFindings, ...autoscaling, ...allowed]) };
}
/** Every check before the first change, in every account, in every mode; each one a finding. Throws only on unexpected errors. */
async function preflight(ctx) {
    const source = ctx.source.identity.accountId;
    const targets = await Promise.all(ctx.targets.map(async (target) => ({ target, ...(await lookUpTarget(forTarget(ctx, target))) })));
    // share-with and launch templates concern reused AMIs too: checked before the early return.
    const afterCopy = await Promise.all(targets.map((t) => afterCopyFindings(forTarget(ctx, t.target), t)));
    const lookupFindings = targets.flatMap((t, i) => placed({ source, target: t.target.identity.accountId }, [...t.findings, ...(afterCopy[i] ?? [])]));
    const result = { findings: lookupFindings, targets };
    if (everythingPromoted(result))
        return result;
    // The source role is assumed only now: its failure is one error, not a finding for each source lookup.
    await ctx.source.connect();
    const lookupFailures = [];
    const lookups = sourceLookups(ctx, lookupFailures);
    const perTarget = await Promise.all(targets.map((t) => targetChecks(forTarget(ctx, t.target), t, lookups)));
    const [image, key, keyPolicy] = await Promise.all([lookups.image, lookups.key, lookups.keyPolicy]);
    const { findings: sourceFindings, reencrypt } = sourceFindingsOf(ctx, image, key);
    Object.assign(result, { sourceImage: image, sourceKey: key, keyPolicy });
    const copies = targets.map((t) => ({ accountId: t.target.identity.accountId, keys: t.toCopy }));
    result.findings = [
        ...lookupFindings,
        ...placed({ source }, [...lookupFailures, ...sourceFindings]),
        ...perTarget.flatMap((t) => t.names),
        ...(image ? placed({ source }, tagBudgetFindings(ctx, image, reencrypt ? key : undefined, copies)) : []),
        ...perTarget.flatMap((t) => t.access),
    ];
    return result;
}
function missingFindings(result) {
    return result.findings.filter((f) => f.status === 'missing');
}
/** The error for a preflight with missing findings: the refusal itself when there is one, else all of them, grouped by account. */
function preflightError(missing) {
    if (missing.length === 1 && missing[0]?.error)
        return missing[0].error;
    const byAccount = new Map();
    for (const finding of missing)
        byAccount.set(findingPlace(finding), [...(byAccount.get(findingPlace(finding)) ?? []), finding]);
    const ordered = [...byAccount.values()].flat();
    const sections = [...byAccount].map(([place, findings]) => `In the ${place}:\n${findings.map((f) => `${ordered.indexOf(f) + 1}. ${f.check}: ${f.detail}`).join('\n')}`);
    return new errors/* PromotionError */.g1({
        what: 'The preflight checks',
        why: `${missing.length} thing(s) are missing.\n${sections.join('\n')}`,
        fix: ordered.map((f, i) => `${i + 1}. ${f.fix ?? 'see above'}`).join('\n'),
    });
}

;// CONCATENATED MODULE: ./src/domain/plan.ts


/** The regions of a target account that get a new copy. */
function regionsToCopy(plan) {
    return plan.keys.filter((key) => !plan.existing.some((e) => e.region === key.region));
}
/** The plan from a preflight without missing findings; throws the refusal otherwise. */
function planFrom(pre) {
    const missing = missingFindings(pre);
    if (missing.length > 0)
        throw preflightError(missing);
    // Without missing findings every target has the key of every region.
    const targets = pre.targets.map(({ target, keys, existing }) => ({ target, keys: keys, existing }));
    if (everythingPromoted(pre))
        return { targets };
    const sourceImage = pre.sourceImage;
    const sourceKey = pre.sourceKey;
    return { sourceImage, sourceKey, reencrypt: !isSharableAsIs(sourceImage, sourceKey.arn), targets };
}

;// CONCATENATED MODULE: ./node_modules/yocto-queue/index.js
/*
How it works:
`this.#head` is an instance of `Node` which keeps track of its current value and nests another instance of `Node` that keeps the value that comes after it. When a value is provided to `.enqueue()`, the code needs to iterate through `this.#head`, going deeper and deeper to find the last value. However, iterating through every single item is slow. This problem is solved by saving a reference to the last value as `this.#tail` so that it can reference it to add a new value.
*/

class Node {
	value;
	next;

	constructor(value) {
		this.value = value;
	}
}

class Queue {
	#head;
	#tail;
	#size;

	constructor() {
		this.clear();
	}

	enqueue(value) {
		const node = new Node(value);

		if (this.#head) {
			this.#tail.next = node;
			this.#tail = node;
		} else {
			this.#head = node;
			this.#tail = node;
		}

		this.#size++;
	}

	dequeue() {
		const current = this.#head;
		if (!current) {
			return;
		}

		this.#head = this.#head.next;
		this.#size--;

		// Clean up tail reference when queue becomes empty
		if (!this.#head) {
			this.#tail = undefined;
		}

		return current.value;
	}

	peek() {
		if (!this.#head) {
			return;
		}

		return this.#head.value;

		// TODO: Node.js 18.
		// return this.#head?.value;
	}

	clear() {
		this.#head = undefined;
		this.#tail = undefined;
		this.#size = 0;
	}

	get size() {
		return this.#size;
	}

	* [Symbol.iterator]() {
		let current = this.#head;

		while (current) {
			yield current.value;
			current = current.next;
		}
	}

	* drain() {
		while (this.#head) {
			yield this.dequeue();
		}
	}
}

;// CONCATENATED MODULE: ./node_modules/p-limit/index.js


function pLimit(concurrency) {
	let rejectOnClear = false;

	if (typeof concurrency === 'object') {
		({concurrency, rejectOnClear = false} = concurrency);
	}

	validateConcurrency(concurrency);

	if (typeof rejectOnClear !== 'boolean') {
		throw new TypeError('Expected `rejectOnClear` to be a boolean');
	}

	const queue = new Queue();
	let activeCount = 0;

	const resumeNext = () => {
		// Process the next queued function if we're under the concurrency limit
		if (activeCount < concurrency && queue.size > 0) {
			activeCount++;
			queue.dequeue().run();
		}
	};

	const next = () => {
		activeCount--;
		resumeNext();
	};

	const run = async (function_, resolve, arguments_) => {
		// Execute the function and capture the result promise
		const result = (async () => function_(...arguments_))();

		// Resolve immediately with the promise (don't wait for completion)
		resolve(result);

		// Wait for the function to complete (success or failure)
		// We catch errors here to prevent unhandled rejections,
		// but the original promise rejection is preserved for the caller
		try {
			await result;
		} catch {}

		// Decrement active count and process next queued function
		next();
	};

	const enqueue = (function_, resolve, reject, arguments_) => {
		const queueItem = {reject};

		// Queue the internal resolve function instead of the run function
		// to preserve the asynchronous execution context.
		new Promise(internalResolve => { // eslint-disable-line promise/param-names
			queueItem.run = internalResolve;
			queue.enqueue(queueItem);
		}).then(run.bind(undefined, function_, resolve, arguments_)); // eslint-disable-line promise/prefer-await-to-then

		// Start processing immediately if we haven't reached the concurrency limit
		if (activeCount < concurrency) {
			resumeNext();
		}
	};

	const generator = (function_, ...arguments_) => new Promise((resolve, reject) => {
		enqueue(function_, resolve, reject, arguments_);
	});

	Object.defineProperties(generator, {
		activeCount: {
			get: () => activeCount,
		},
		pendingCount: {
			get: () => queue.size,
		},
		clearQueue: {
			value() {
				if (!rejectOnClear) {
					queue.clear();
					return;
				}

				const abortError = AbortSignal.abort().reason;

				while (queue.size > 0) {
					queue.dequeue().reject(abortError);
				}
			},
		},
		concurrency: {
			get: () => concurrency,

			set(newConcurrency) {
				validateConcurrency(newConcurrency);
				concurrency = newConcurrency;

				queueMicrotask(() => {
					// eslint-disable-next-line no-unmodified-loop-condition
					while (activeCount < concurrency && queue.size > 0) {
						resumeNext();
					}
				});
			},
		},
		map: {
			async value(iterable, function_) {
				const promises = [];

				try {
					Array.from(iterable, (value, index) => {
						const promise = generator(function_, value, index);
						promises.push(promise);
						return promise;
					});
				} catch (error) {
					// The iterable threw, so `Promise.all` never observes the already scheduled promises. Observe them here to avoid unhandled rejections.
					for (const promise of promises) {
						promise.catch(() => {}); // eslint-disable-line promise/prefer-await-to-then
					}

					throw error;
				}

				return Promise.all(promises);
			},
		},
	});

	return generator;
}

function limitFunction(function_, options) {
	const limit = pLimit(options);

	const limitedFunction = (...arguments_) => limit(() => function_(...arguments_));
	Object.defineProperty(limitedFunction, 'clearQueue', {
		value: limit.clearQueue,
	});

	return limitedFunction;
}

function validateConcurrency(concurrency) {
	if (!((Number.isInteger(concurrency) || concurrency === Number.POSITIVE_INFINITY) && concurrency > 0)) {
		throw new TypeError('Expected `concurrency` to be a number from 1 and up');
	}
}

;// CONCATENATED MODULE: ./src/domain/steps/poll-schedule.ts
/**
 * When to poll a running copy next, from the progress AWS reports for its snapshots.
 *
 * DescribeSnapshots reports each snapshot's Progress as a percentage and its State (pending | completed | error |
 * recoverable | recovering): https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html. The copy is
 * as far as its slowest snapshot. From the rate between the first progress seen and the latest, the schedule
 * estimates when the copy completes and polls just after that. AWS does not promise that progress rises linearly
 * (copies may jump, or sit at 99 % for a while), so the estimate only decides polls inside fixed bounds: never
 * sooner than MIN_DELAY_MS and never later than the maximum delay (15 s) after the previous poll, which bounds the
 * detection delay whatever the progress does. Estimates that turn out early back off, so a copy stuck near its end
 * is not polled every second. Without progress (a copy not visible yet, snapshots not started, progress not moving)
 * the delay backs off from the first delay by 1.5 up to the maximum.
 */
const poll_schedule_FIRST_DELAY_MS = 2_000;
const poll_schedule_MAX_DELAY_MS = 15_000;
const MIN_DELAY_MS = 1_000;
/** How long after the estimated completion to poll: the estimate from whole percents is rarely early. */
const AFTER_ESTIMATE_MS = 250;
/** The progress of the slowest of the snapshots ("87%"), or undefined when a snapshot reports none. */
function slowestProgress(progress) {
    if (progress.length === 0)
        return undefined;
    const percents = progress.map((p) => (p === undefined || p === '' ? Number.NaN : Number.parseFloat(p)));
    return percents.some(Number.isNaN) ? undefined : Math.min(...percents);
}
class PollSchedule {
    maxDelayMs;
    backoffMs;
    first;
    /** The last delay aimed at the estimated completion (rather than at the maximum delay). */
    aimed = false;
    /** Polls in a row that came at the estimate and found the copy still running. */
    misses = 0;
    /** The estimated completion, in ms since waiting started. */
    completionAtMs;
    constructor(options = {}) {
        this.maxDelayMs = options.maxDelayMs ?? poll_schedule_MAX_DELAY_MS;
        this.backoffMs = options.firstDelayMs ?? poll_schedule_FIRST_DELAY_MS;
    }
    /** The next poll is the first one aimed at the estimated completion: reading the image alone may end the wait. */
    get expectsCompletion() {
        return this.aimed && this.misses === 0;
    }
    /**
     * The delay before the next poll, after a poll at `elapsedMs` (since waiting started) that saw `percent`; a poll
     * that saw no progress keeps the last estimate, or backs off while there is none.
     */
    next(elapsedMs, percent) {
        const remaining = this.remainingMs(elapsedMs, percent);
        if (remaining === undefined) {
            this.aimed = false;
            const delay = this.backoffMs;
            this.backoffMs = Math.min(Math.round(this.backoffMs * 1.5), this.maxDelayMs);
            return delay;
        }
        this.misses = this.aimed ? this.misses + 1 : 0;
        const floor = Math.min(this.maxDelayMs, MIN_DELAY_MS * 2 ** Math.max(0, this.misses - 1));
        const wanted = Math.round(remaining + AFTER_ESTIMATE_MS);
        this.aimed = wanted <= this.maxDelayMs;
        return Math.min(this.maxDelayMs, Math.max(floor, wanted));
    }
    remainingMs(elapsedMs, percent) {
        if (percent === undefined)
            return this.completionAtMs === undefined ? undefined : this.completionAtMs - elapsedMs;
        const remaining = this.estimate(elapsedMs, percent);
        if (remaining !== undefined)
            this.completionAtMs = elapsedMs + remaining;
        return remaining;
    }
    /** Time left at the average rate since the first progress seen; undefined until progress has moved. */
    estimate(elapsedMs, percent) {
        const first = this.first;
        if (!first) {
            this.first = { atMs: elapsedMs, percent };
            return percent >= 100 ? 0 : undefined;
        }
        if (percent >= 100)
            return 0;
        if (percent <= first.percent || elapsedMs <= first.atMs)
            return undefined;
        const perMs = (percent - first.percent) / (elapsedMs - first.atMs);
        return (100 - percent) / perMs;
    }
}

;// CONCATENATED MODULE: ./src/domain/steps/wait.ts





/** EC2 is eventually consistent: a copy just started may be invisible to DescribeImages for a while. */
const NOT_VISIBLE_MS = 2 * 60_000;
/**
 * KMS problems rarely fail CopyImage itself: the copy turns `failed` later. A reason that names the key is
 * certainly KMS; any other failed copy is still most probably KMS.
 */
function probableKmsCause(reason, target, copyFailed = true) {
    const needs = `the source AMI's key or ${target.keyDescription ?? 'the destination key'}. The copying role needs kms:DescribeKey, kms:Decrypt, ` +
        'kms:ReEncrypt* and kms:CreateGrant on the source key (allowed by both the key policy and its IAM policy), and ' +
        'kms:DescribeKey, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt* and kms:CreateGrant on the destination key.';
    if (/key|kms|cmk|grant|decrypt/i.test(reason)) {
        return ` This is a KMS permission problem: the ${target.side} principal (or EC2 acting for it) could not use ${needs}`;
    }
    if (!copyFailed)
        return '';
    return ` The probable cause is KMS: the ${target.side} principal (or EC2 acting for it) may not be able to use ${needs}`;
}
function failure(target, why, fix) {
    return new errors/* PromotionError */.g1({ what: `Waiting for the ${target.label} ${target.imageId}`, side: target.side, accountId: target.accountId, region: target.region, why, fix });
}
function progressOf(snapshots) {
    if (snapshots.length === 0)
        return 'snapshots not started';
    return snapshots.map((s) => `${s.SnapshotId} ${s.Progress || '0%'}`).join(', ');
}
/** A request the cancellation aborted ends the wait with the cancellation, not as an AWS error. */
function unlessCancelled(signal) {
    return (error) => {
        throw signal.aborted ? signal.reason : error;
    };
}
/** The image as DescribeImages shows it now; undefined while it is not visible (a new copy) or once it is gone. */
async function wait_describeImage(target, site, signal) {
    const response = await (0,explain/* call */.T1)({ ...site, what: `Describing ${target.imageId}`, action: 'ec2:DescribeImages' }, () => target.ec2.send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [target.imageId] }), { abortSignal: signal }).catch((error) => {
        if ((0,errors/* errorName */.Is)(error) === 'InvalidAMIID.NotFound')
            return { Images: [] };
        throw error;
    })).catch(unlessCancelled(signal));
    return response.Images?.[0];
}
/** The snapshots of the copy as DescribeSnapshots shows them now; those not visible yet (or gone) are left out. */
async function describeSnapshots(target, site, snapshotIds, signal) {
    const response = await (0,explain/* call */.T1)({ ...site, what: `Describing the snapshots of ${target.imageId}`, action: 'ec2:DescribeSnapshots' }, () => target.ec2.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({ SnapshotIds: snapshotIds }), { abortSignal: signal }).catch((error) => {
        // The snapshots of a copy just started may not be visible yet: no progress this time.
        if ((0,errors/* errorName */.Is)(error) === 'InvalidSnapshot.NotFound')
            return { Snapshots: [] };
        throw error;
    })).catch(unlessCancelled(signal));
    return response.Snapshots ?? [];
}
function snapshotFailed(target, broken) {
    const reason = broken.StateMessage ?? 'snapshot copy failed';
    return failure(target, `snapshot ${broken.SnapshotId} of the copy is in state error: ${reason}.${probableKmsCause(reason, target)}`, 'Fix the cause above and run the promotion again; the failed copy is removed by cleanup.');
}
const ENDED = ['failed', 'error', 'invalid', 'deregistered', 'disabled'];
/** A copy that has ended without becoming available (or vanished after it was seen). */
function endedBadly(target, image) {
    const reason = image?.StateReason?.Message ?? (image ? `state ${image.State}` : 'the image disappeared');
    return failure(target, `the copy ended ${image?.State ?? 'deregistered'}: ${reason}.${probableKmsCause(reason, target, image?.State === 'failed')}`, 'Fix the cause above and run the promotion again; the failed copy is removed by cleanup.');
}
function notFound(target, waitedMs) {
    return failure(target, `the copy ${target.imageId} was not found (DescribeImages did not return it for ${Math.round(waitedMs / 1000)} s).`, 'Run the promotion again; if it happens again, check that nothing deregisters new AMIs in this account and region.');
}
function timedOut(target, image, snapshots) {
    return failure(target, `it was still ${image.State} (${progressOf(snapshots)}) when wait-timeout-minutes ran out.`, 'Raise wait-timeout-minutes (large volumes and cross-region copies take long), or set copy-completion-minutes for a time-based copy.');
}
/**
 * DescribeImages at least every this many polls while DescribeSnapshots shows the copy running. EC2's documentation
 * does not say that a copy's AMI turns `available` only after all its snapshots completed, nor that a failed copy
 * always shows its snapshots in `error` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Snapshot.html): so the image itself is read too, and a
 * `failed` copy is seen within this many polls (3 x 15 s at most).
 */
const IMAGE_EVERY = 3;
/**
 * One copy being watched. While its snapshots are pending a poll needs only DescribeSnapshots (progress, state,
 * error); DescribeImages comes first (the snapshot IDs, and whether the image is visible at all), at least every
 * IMAGE_EVERY polls, once every snapshot completed, and whenever a snapshot is in error or not found.
 */
class CopyWatch {
    target;
    site;
    signal;
    image;
    snapshots = [];
    seen;
    sinceImage = 0;
    recheck = true;
    snapshotsDone = false;
    sampled = false;
    constructor(target, site, signal) {
        this.target = target;
        this.site = site;
        this.signal = signal;
        this.seen = target.seen ?? false;
    }
    /**
     * One poll; true once the image is available. Throws once the copy ended badly. `imageOnly`: the copy is expected
     * to be complete, so the image is read first and alone (its snapshots only when the image is needed to find them).
     */
    async poll(imageOnly) {
        this.sampled = false;
        const needImage = this.recheck || this.snapshotsDone || !this.image || snapshotIdsOf(this.image).length === 0;
        const imageDue = needImage || imageOnly || this.sinceImage >= IMAGE_EVERY - 1;
        if (imageDue && (await this.readImage()))
            return true;
        if (!imageDue)
            this.sinceImage++;
        const snapshotIds = this.image ? snapshotIdsOf(this.image) : [];
        if (snapshotIds.length === 0 || this.snapshotsDone || (imageDue && !needImage))
            return false;
        this.snapshots = await describeSnapshots(this.target, this.site, snapshotIds, this.signal);
        this.sampled = true;
        const vanished = this.snapshots.length < snapshotIds.length;
        const broken = this.snapshots.find((s) => s.State === 'error');
        this.snapshotsDone = !vanished && this.snapshots.every((s) => s.State === 'completed');
        if ((broken || this.snapshotsDone) && !imageDue && (await this.readImage()))
            return true;
        if (broken)
            throw snapshotFailed(this.target, broken);
        this.recheck = vanished;
        return false;
    }
    /** The slowest snapshot's progress in percent, when this poll read every snapshot's. */
    progress() {
        if (this.snapshotsDone)
            return 100;
        if (!this.sampled)
            return undefined;
        const ids = this.image ? snapshotIdsOf(this.image) : [];
        return this.snapshots.length === ids.length ? slowestProgress(this.snapshots.map((s) => s.Progress)) : undefined;
    }
    /** Reads the image; true when it is available. Not visible is fine for a new copy, a failure once it was seen. */
    async readImage() {
        const image = await wait_describeImage(this.target, this.site, this.signal);
        this.sinceImage = 0;
        this.recheck = false;
        if (!image && !this.seen)
            return false;
        this.seen = true;
        if (!image || ENDED.includes(image.State ?? ''))
            throw endedBadly(this.target, image);
        this.image = image;
        return image.State === 'available';
    }
}
/** Polls until `watched` is done, when its snapshots' progress says completion is likely (see PollSchedule). */
async function pollUntilDone(watched, options) {
    const { clock, log, signal } = options;
    const schedule = new PollSchedule({ firstDelayMs: options.firstDelayMs, maxDelayMs: options.maxDelayMs });
    const started = clock.now();
    let lastReport;
    for (;;) {
        signal.throwIfAborted();
        const polledAt = clock.now() - started;
        const done = await watched.poll(schedule.expectsCompletion);
        if (done !== undefined) {
            log.info(watched.doneLine(Math.round((clock.now() - started) / 1000)));
            return done;
        }
        const report = watched.report();
        if (report !== undefined && report !== lastReport)
            log.info(report);
        lastReport = report ?? lastReport;
        watched.giveUp(clock.now() - started, options.deadline <= clock.now());
        await clock.sleep(Math.min(schedule.next(polledAt, watched.progress()), options.deadline - clock.now()), signal);
    }
}
const siteOfTarget = (target) => ({ side: target.side, accountId: target.accountId, region: target.region, principal: target.principal, credentials: target.credentials });
/**
 * Polls one image until it is available, with one call per poll while its snapshots are pending. Fails on a `failed`
 * copy, on a snapshot in `error`, on a copy that never shows or disappears, and at the deadline.
 */
async function waitForImage(target, options) {
    const watch = new CopyWatch(target, siteOfTarget(target), options.signal);
    return pollUntilDone({
        poll: async (expectsCompletion) => ((await watch.poll(expectsCompletion)) ? watch.image : undefined),
        progress: () => watch.progress(),
        report: () => watch.image && `${target.label} ${target.imageId}: ${watch.image.State}, ${progressOf(watch.snapshots)}`,
        giveUp: (waitedMs, pastDeadline) => {
            if (!watch.image && (waitedMs >= NOT_VISIBLE_MS || pastDeadline))
                throw notFound(target, waitedMs);
            if (watch.image && pastDeadline)
                throw timedOut(target, watch.image, watch.snapshots);
        },
        doneLine: (seconds) => `${target.label} ${target.imageId} is available after ${seconds} s.`,
    }, options);
}
/**
 * Polls snapshot copies until every one is `completed`, with the same schedule, progress log and failure explanations
 * as waitForImage. A copy just started may not be visible yet (InvalidSnapshot.NotFound):
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
async function waitForSnapshots(target, options) {
    const named = { ...target, imageId: target.snapshotIds.join(', ') };
    let snapshots = [];
    const all = () => snapshots.length === target.snapshotIds.length;
    return pollUntilDone({
        poll: async () => {
            snapshots = await describeSnapshots(named, siteOfTarget(target), target.snapshotIds, options.signal);
            const broken = snapshots.find((s) => s.State === 'error');
            if (broken)
                throw snapshotFailed(named, broken);
            return all() && snapshots.every((s) => s.State === 'completed') ? snapshots : undefined;
        },
        progress: () => (all() ? slowestProgress(snapshots.map((s) => s.Progress)) : undefined),
        report: () => `${target.label}: ${progressOf(snapshots)}`,
        giveUp: (waitedMs, pastDeadline) => {
            if (!all() && waitedMs >= NOT_VISIBLE_MS) {
                throw failure(named, `DescribeSnapshots did not return every snapshot copy for ${Math.round(waitedMs / 1000)} s.`, 'Run the promotion again; if it happens again, check that nothing deletes new snapshots in this account and region.');
            }
            if (pastDeadline) {
                throw failure(named, `the snapshot copies were still running (${progressOf(snapshots)}) when wait-timeout-minutes ran out.`, 'Raise wait-timeout-minutes (large volumes and cross-region copies take long), or set copy-completion-minutes for a time-based copy.');
            }
        },
        doneLine: (seconds) => `${target.label} ${named.imageId} completed after ${seconds} s.`,
    }, options);
}

;// CONCATENATED MODULE: ./src/domain/steps/copy.ts








/**
 * Why starting a copy into the target failed (CopyImage, or CopySnapshot and RegisterImage for copy-method snapshots),
 * and the fix: a name taken, the shared AMI or its storage not readable, too many copies, else the shared explanation.
 */
function copyStartError(ctx, sharedId, name, site, error) {
    const { request } = ctx;
    const { region } = site;
    const targetIdentity = ctx.target.identity;
    const message = (0,errors/* errorMessage */.gJ)(error);
    if ((0,errors/* errorName */.Is)(error) === 'InvalidAMIName.Duplicate') {
        return new errors/* PromotionError */.g1({ ...site, why: `the target account already has an AMI named "${name}" in ${region}.`, fix: 'Set ami-name to a new name (for example with the version or date in it), or deregister the old AMI.', cause: error });
    }
    if (/permission to access the storage/i.test(message)) {
        return new errors/* PromotionError */.g1({
            ...site,
            why: `the target account may not read the snapshots of ${sharedId} (${message}).`,
            fix: `Every snapshot of ${sharedId} needs a createVolumePermission for account ${targetIdentity.accountId}; the action adds them, so check that nothing removed them during the run.`,
            cause: error,
        });
    }
    if ((0,errors/* errorName */.Is)(error) === 'InvalidAMIID.NotFound') {
        return new errors/* PromotionError */.g1({
            ...site,
            why: `the target account does not see ${sharedId} in ${request.sourceRegion} (InvalidAMIID.NotFound: ${message}): its launch permission for account ${targetIdentity.accountId} was removed ` +
                `during the run, or the target account's Allowed AMIs setting in ${region} does not allow AMIs of account ${ctx.source.identity.accountId} (see the preflight's Allowed AMIs finding).`,
            fix: `Allow AMIs of account ${ctx.source.identity.accountId} in the Allowed AMIs setting of account ${targetIdentity.accountId} (aws ec2 get-allowed-images-settings --region ${region} shows it), then re-run.`,
            cause: error,
        });
    }
    if ((0,errors/* errorName */.Is)(error) === 'InvalidSnapshot.NotFound') {
        return new errors/* PromotionError */.g1({
            ...site,
            why: `the target account does not see a snapshot of ${sharedId} in ${request.sourceRegion} (InvalidSnapshot.NotFound: ${message}): its createVolumePermission for account ${targetIdentity.accountId} was removed during the run, or the snapshot was deleted.`,
            fix: `Check that nothing removes the sharing of the snapshots of ${sharedId} while the promotion runs, then re-run.`,
            cause: error,
        });
    }
    if ((0,errors/* errorName */.Is)(error) === 'ResourceLimitExceeded') {
        return new errors/* PromotionError */.g1({ ...site, why: `too many copies are running in ${region} (${message}); AWS allows about 20 concurrent snapshot copies per region.`, fix: 'Re-run when other copies have finished, or promote to fewer regions at a time.', cause: error });
    }
    return (0,explain/* explainAwsError */.Ni)(error, site);
}
/** One region of a target account: CopyImage with target credentials from the shared AMI, under the target's key. */
async function startTargetCopy(ctx, source, shared, key) {
    const { request } = ctx;
    const name = promotedName(ctx, source);
    const tags = promotedTags(ctx, source, key);
    const site = {
        what: `Copying ${shared.imageId} into the target account`,
        ...siteOf(ctx.target, key.region),
        action: 'ec2:CopyImage',
    };
    try {
        const response = await ctx.target.ec2(key.region).send(new dist_cjs/* CopyImageCommand */.SDF({
            SourceImageId: shared.imageId,
            SourceRegion: request.sourceRegion,
            Name: name,
            Description: promotedDescription(ctx, source),
            Encrypted: true,
            KmsKeyId: key.arn,
            ClientToken: clientToken('promote', shared.imageId, key.region, key.label, name, request.provenance.runId, request.provenance.runAttempt),
            SnapshotCopyCompletionDurationMinutes: request.copyCompletionMinutes,
            TagSpecifications: [
                { ResourceType: 'image', Tags: tags },
                { ResourceType: 'snapshot', Tags: tags },
            ],
        }));
        return response.ImageId;
    }
    catch (error) {
        throw copyStartError(ctx, shared.imageId, name, site, error);
    }
}
/** The copy into one region of a target account, from the start to the available AMI; journaled as it goes. */
async function copyInto(ctx, source, shared, key) {
    // A copy that waited for its turn does not start after a cancellation.
    ctx.signal.throwIfAborted();
    const accountId = ctx.target.identity.accountId;
    const started = ctx.clock.now();
    const imageId = await startTargetCopy(ctx, source, shared, key);
    ctx.journal.record({ kind: 'target-copy', accountId, region: key.region, imageId });
    ctx.log.info(`Copying into ${key.region} of ${accountId} as ${imageId} under ${key.display}.`);
    const image = await waitForImage({ label: `target copy in ${key.region}`, ...siteOf(ctx.target, key.region), imageId, ec2: ctx.target.ec2(key.region), keyDescription: key.display }, { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline });
    ctx.journal.record({ kind: 'target-copy-done', accountId, region: key.region, imageId });
    return { region: key.region, imageId, snapshotIds: snapshotIdsOf(image), key, seconds: Math.round((ctx.clock.now() - started) / 1000), copiedFrom: copiedFrom(image) };
}

;// CONCATENATED MODULE: ./src/domain/steps/copy-snapshots.ts
/**
 * copy-method snapshots: AWS's procedure for an encrypted AMI shared by its snapshots only. The target account copies
 * each shared snapshot under its own key (CopySnapshot) and registers a new AMI from the copies (RegisterImage) with
 * every attribute of the source.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html
 */







/**
 * The UEFI variable store is not in DescribeImages; DescribeImageAttribute uefiData gives it, and RegisterImage's
 * UefiData makes "an exact copy of your variable store"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageAttribute.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetInstanceUefiData.html). AWS does not document
 * whether an account the AMI is not shared with by launch permission may read it, so the source account reads it from
 * the AMI it shares (its own: the source AMI or the intermediate copy) and passes it on.
 */
async function readUefiData(ctx, shared) {
    const region = ctx.request.sourceRegion;
    const response = await (0,explain/* call */.T1)({ ...siteOf(ctx.source, region), what: `Reading the UEFI data of ${shared.imageId}`, action: 'ec2:DescribeImageAttribute' }, () => ctx.source.ec2(region).send(new dist_cjs/* DescribeImageAttributeCommand */.OkE({ ImageId: shared.imageId, Attribute: 'uefiData' })));
    return response.UefiData?.Value || undefined;
}
/**
 * The source's mappings for RegisterImage in the target: snapshots replaced by their copies, with size, type, IOPS,
 * throughput and delete-on-termination; "you can't specify the encryption state of the volume" of a snapshot (the copy
 * is under the target key); empty volumes encrypted under the target key when the source's are encrypted; ephemeral
 * (VirtualName) and NoDevice mappings as they are.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_BlockDeviceMapping.html
 */
function targetMappings(mappings, copies, key) {
    return mappings.map(({ DeviceName, VirtualName, NoDevice, Ebs }) => {
        if (!Ebs)
            return { DeviceName, ...(VirtualName !== undefined ? { VirtualName } : {}), ...(NoDevice !== undefined ? { NoDevice } : {}) };
        const { VolumeSize, VolumeType, Iops, Throughput, DeleteOnTermination, SnapshotId, Encrypted } = Ebs;
        const volume = { DeleteOnTermination, VolumeSize, VolumeType, Iops, Throughput };
        if (SnapshotId)
            return { DeviceName, Ebs: { ...volume, SnapshotId: copies[DeviceName ?? ''] } };
        return { DeviceName, Ebs: { ...volume, ...(Encrypted ? { Encrypted: true, KmsKeyId: key.arn } : {}) } };
    });
}
/** CopySnapshot of each shared snapshot under the target key, tagged as promoted; each copy journaled as it starts. */
async function copySnapshots(ctx, source, key, tags) {
    const { request } = ctx;
    const accountId = ctx.target.identity.accountId;
    const copies = {};
    for (const [device, sourceSnapshotId] of Object.entries(source.shared.deviceSnapshots)) {
        ctx.signal.throwIfAborted();
        const site = { what: `Copying snapshot ${sourceSnapshotId} (${device}) into the target account`, ...siteOf(ctx.target, key.region), action: 'ec2:CopySnapshot' };
        const response = await ctx.target
            .ec2(key.region)
            .send(new dist_cjs/* CopySnapshotCommand */.DLx({
            SourceSnapshotId: sourceSnapshotId,
            SourceRegion: request.sourceRegion,
            Encrypted: true,
            KmsKeyId: key.arn,
            Description: `${device} of ${promotedName(ctx, source.image)}, promoted from ${source.image.imageId} (account ${ctx.source.identity.accountId}, ${request.sourceRegion})`.slice(0, 255),
            CompletionDurationMinutes: request.copyCompletionMinutes,
            TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
        }))
            .catch((error) => {
            throw copyStartError(ctx, source.shared.imageId, promotedName(ctx, source.image), site, error);
        });
        const snapshotId = response.SnapshotId;
        ctx.journal.record({ kind: 'target-snapshot-copy', accountId, region: key.region, snapshotId, sourceSnapshotId });
        copies[device] = snapshotId;
    }
    return copies;
}
/** RegisterImage from the copies with every attribute of the source AMI, tagged as the image path tags its copies. */
async function registerImage(ctx, source, key, copies, tags) {
    const name = promotedName(ctx, source.image);
    const site = { what: `Registering ${name} from the snapshot copies`, ...siteOf(ctx.target, key.region), action: 'ec2:RegisterImage' };
    const { BlockDeviceMappings, ...attributes } = source.image.registration;
    const response = await ctx.target
        .ec2(key.region)
        .send(new dist_cjs/* RegisterImageCommand */.kUQ({
        ...attributes,
        Name: name,
        Description: promotedDescription(ctx, source.image),
        BlockDeviceMappings: targetMappings(BlockDeviceMappings, copies, key),
        UefiData: source.uefiData,
        TagSpecifications: [{ ResourceType: 'image', Tags: tags }],
    }))
        .catch((error) => {
        throw copyStartError(ctx, source.shared.imageId, name, site, error);
    });
    return response.ImageId;
}
/** The promotion into one region of a target account by its snapshots, from the first copy to the available AMI. */
async function copySnapshotsInto(ctx, source, key) {
    ctx.signal.throwIfAborted();
    const accountId = ctx.target.identity.accountId;
    const started = ctx.clock.now();
    const tags = promotedTags(ctx, source.image, key);
    const where = { ...siteOf(ctx.target, key.region), ec2: ctx.target.ec2(key.region), keyDescription: key.display };
    const wait = { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline };
    const copies = await copySnapshots(ctx, source, key, tags);
    ctx.log.info(`Copying the snapshots of ${source.shared.imageId} into ${key.region} of ${accountId} under ${key.display}: ${Object.values(copies).join(', ')}.`);
    await waitForSnapshots({ label: `snapshot copies in ${key.region}`, ...where, snapshotIds: Object.values(copies) }, wait);
    const imageId = await registerImage(ctx, source, key, copies, tags);
    ctx.journal.record({ kind: 'target-copy', accountId, region: key.region, imageId });
    ctx.log.info(`Registered ${imageId} in ${key.region} of ${accountId} from the snapshot copies.`);
    const image = await waitForImage({ label: `registered AMI in ${key.region}`, ...where, imageId }, wait);
    ctx.journal.record({ kind: 'target-copy-done', accountId, region: key.region, imageId });
    return { region: key.region, imageId, snapshotIds: snapshotIdsOf(image), key, seconds: Math.round((ctx.clock.now() - started) / 1000) };
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ssm/dist-cjs/index.js
var client_ssm_dist_cjs = __webpack_require__(4736);
;// CONCATENATED MODULE: ./src/domain/steps/finish.ts





const finish_DAY_MS = 86_400_000;
/** Deregistration protection, deprecation time and the SSM parameter, when asked for. */
async function finishImages(ctx, images) {
    const { request } = ctx;
    const targetIdentity = ctx.target.identity;
    const report = { protectedImages: [], ssmParameters: [] };
    if (request.deprecateAfterDays !== undefined) {
        report.deprecateAt = new Date(Math.ceil((ctx.clock.now() + request.deprecateAfterDays * finish_DAY_MS) / 60_000) * 60_000);
    }
    await Promise.all(images.map(async ({ region, imageId }) => {
        const site = siteOf(ctx.target, region);
        const ec2 = ctx.target.ec2(region);
        if (request.deregistrationProtection) {
            await (0,explain/* call */.T1)({ ...site, what: `Protecting ${imageId} from deregistration`, action: 'ec2:EnableImageDeregistrationProtection' }, () => ec2.send(new dist_cjs/* EnableImageDeregistrationProtectionCommand */.BxO({ ImageId: imageId })));
            report.protectedImages.push(imageId);
        }
        if (report.deprecateAt) {
            const deprecateAt = report.deprecateAt;
            await (0,explain/* call */.T1)({ ...site, what: `Setting the deprecation time of ${imageId}`, action: 'ec2:EnableImageDeprecation' }, () => ec2.send(new dist_cjs/* EnableImageDeprecationCommand */.cJk({ ImageId: imageId, DeprecateAt: deprecateAt })));
        }
        if (request.ssmParameter) {
            const name = request.ssmParameter;
            const arn = (0,aws_arn/* ssmParameterArn */.Yx)(ctx.target.spec.role.partition, region, targetIdentity.accountId, name);
            await (0,explain/* call */.T1)({ ...site, what: `Writing ${imageId} to the SSM parameter ${name}`, action: 'ssm:PutParameter', resource: arn }, () => ctx.target.ssm(region).send(new client_ssm_dist_cjs/* PutParameterCommand */.ihh({ Name: name, Value: imageId, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true })));
            report.ssmParameters.push(`${region}:${name}`);
        }
    }));
    return report;
}

;// CONCATENATED MODULE: ./src/domain/steps/reencrypt.ts










/** Device name → snapshot ID of an image's EBS mappings. */
function deviceSnapshotsOf(mappings) {
    return Object.fromEntries(mappings.flatMap((m) => (m.DeviceName && m.Ebs?.SnapshotId ? [[m.DeviceName, m.Ebs.SnapshotId]] : [])));
}
/** An intermediate copy of the same source under the same key, left by a concurrent or earlier run. */
async function findIntermediate(ctx, key) {
    const { request } = ctx;
    const response = await (0,explain/* call */.T1)({
        what: 'Looking for an intermediate copy',
        ...siteOf(ctx.source, request.sourceRegion),
        action: 'ec2:DescribeImages',
    }, () => ctx.source.ec2(request.sourceRegion).send(new dist_cjs/* DescribeImagesCommand */.ji5({
        Owners: ['self'],
        Filters: [
            { Name: `tag:${domain_tags/* TAG */.Dk.role}`, Values: [domain_tags/* ROLE_INTERMEDIATE */.pP] },
            { Name: `tag:${domain_tags/* TAG */.Dk.sourceAmiId}`, Values: [request.sourceAmiId] },
            { Name: `tag:${domain_tags/* TAG */.Dk.kmsKey}`, Values: [key.arn] },
            { Name: 'state', Values: ['available', 'pending'] },
        ],
    })));
    return response.Images?.find((image) => image.ImageId);
}
/** The name of the intermediate copy: one per source and key, so that a second CopyImage at the same time fails (InvalidAMIName.Duplicate). */
function intermediateName(source, key) {
    return `promote-ami-${source.imageId}-${shortHash(key.arn)}`.slice(0, 128);
}
/**
 * Starts the intermediate copy with this run's lease among its tags; undefined when its name is taken (a concurrent
 * run's copy, or a removed copy whose name AWS has not freed yet). `attempt` counts the copies this run made or took
 * up: a new ClientToken for each, since a replayed one would return the removed copy.
 */
async function startIntermediateCopy(ctx, source, key, attempt) {
    const { request } = ctx;
    const region = request.sourceRegion;
    const tags = intermediateTags(ctx, source, key);
    const lease = leaseTag(ctx);
    const { runId, runAttempt } = request.provenance;
    const response = await (0,explain/* call */.T1)({ ...siteOf(ctx.source, region), what: `Re-encrypting ${source.imageId} with ${key.arn}`, action: 'ec2:CopyImage' }, () => ctx.source
        .ec2(region)
        .send(new dist_cjs/* CopyImageCommand */.SDF({
        SourceImageId: source.imageId,
        SourceRegion: region,
        Name: intermediateName(source, key),
        Description: `Re-encrypted copy of ${source.imageId} for promotion (temporary)`,
        Encrypted: true,
        KmsKeyId: key.arn,
        ClientToken: clientToken('intermediate', source.imageId, key.arn, targetAccountIds(ctx).join(','), runId, runAttempt, String(attempt)),
        TagSpecifications: [
            { ResourceType: 'image', Tags: [...tags, lease] },
            { ResourceType: 'snapshot', Tags: tags },
        ],
    }))
        .catch((error) => {
        if ((0,errors/* errorName */.Is)(error) === 'InvalidAMIName.Duplicate')
            return undefined;
        throw error;
    }));
    const imageId = response?.ImageId;
    if (imageId) {
        ctx.journal.record({ kind: 'intermediate-copy', region, imageId, snapshotIds: [] });
        ctx.journal.record({ kind: 'lease', region, imageId, key: lease.Key });
        ctx.log.info(`Re-encrypting ${source.imageId} with ${key.arn} as ${imageId}.`);
    }
    return imageId;
}
/** How long the name may stay taken without a usable copy showing before the run gives up. */
const NAME_TAKEN_MS = 2 * 60_000;
const reencrypt_FIRST_DELAY_MS = 2_000;
const reencrypt_MAX_DELAY_MS = 20_000;
/**
 * The AMI holding the intermediate copy's name when it is no usable intermediate copy of this source and key (another
 * AMI, or a copy that failed); undefined when none shows (a concurrent run's copy may not show yet) or while the holder
 * is usable or being deregistered.
 */
async function foreignHolder(ctx, source, key) {
    const region = ctx.request.sourceRegion;
    const name = intermediateName(source, key);
    const response = await (0,explain/* call */.T1)({ ...siteOf(ctx.source, region), what: `Looking for the AMI named ${name}`, action: 'ec2:DescribeImages' }, () => ctx.source.ec2(region).send(new dist_cjs/* DescribeImagesCommand */.ji5({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] })));
    const holder = response.Images?.find((image) => image.Name === name);
    if (!holder || holder.State === 'deregistered')
        return undefined;
    const ours = (0,domain_tags/* tagValue */.EZ)(holder.Tags, domain_tags/* TAG */.Dk.role) === domain_tags/* ROLE_INTERMEDIATE */.pP && (0,domain_tags/* tagValue */.EZ)(holder.Tags, domain_tags/* TAG */.Dk.sourceAmiId) === source.imageId && (0,domain_tags/* tagValue */.EZ)(holder.Tags, domain_tags/* TAG */.Dk.kmsKey) === key.arn;
    return ours && (holder.State === 'available' || holder.State === 'pending') ? undefined : holder;
}
function nameTaken(ctx, source, key, holder) {
    const region = ctx.request.sourceRegion;
    const name = intermediateName(source, key);
    return new errors/* PromotionError */.g1({
        ...siteOf(ctx.source, region),
        what: `Re-encrypting ${source.imageId} with ${key.arn}`,
        why: holder
            ? `the source account already has an AMI named "${name}" that is not a usable intermediate copy (${holder.ImageId}, ${holder.State ?? 'state unknown'}; it may have failed).`
            : `the name "${name}" stayed taken for ${NAME_TAKEN_MS / 60_000} minutes, and no AMI with it showed: an AMI deregistered a moment ago may still hold it (AWS does not document for how long).`,
        fix: holder
            ? `Deregister ${holder.ImageId} in ${region} of account ${ctx.source.identity.accountId}, then run the promotion again.`
            : 'Run the promotion again in a few minutes.',
    });
}
/** The intermediate copy of a concurrent or earlier run, leased; undefined when there is none (or it went before the lease). */
async function takeUp(ctx, source, key, by) {
    const imageId = (await findIntermediate(ctx, key))?.ImageId;
    if (!imageId)
        return undefined;
    ctx.journal.record({ kind: 'intermediate-copy', region: ctx.request.sourceRegion, imageId, snapshotIds: [] });
    const leasedAt = ctx.clock.now();
    if (!(await takeLease(ctx, imageId)))
        return undefined;
    ctx.log.info(`Reusing the intermediate copy ${imageId} of ${source.imageId} under ${key.arn}${by}.`);
    return { imageId, made: false, leasedAt };
}
/**
 * Takes up the intermediate copy of a concurrent or earlier run, or else makes one. When the name is taken but no
 * usable copy shows yet, looks again with backoff: only one intermediate copy exists at a time.
 */
async function holdIntermediate(ctx, source, key, attempt) {
    const started = ctx.clock.now();
    let delay = reencrypt_FIRST_DELAY_MS;
    for (;;) {
        const found = await takeUp(ctx, source, key, '');
        if (found)
            return found;
        const made = await startIntermediateCopy(ctx, source, key, attempt);
        if (made)
            return { imageId: made, made: true, leasedAt: ctx.clock.now() };
        const concurrent = await takeUp(ctx, source, key, ', started by a concurrent run');
        if (concurrent)
            return concurrent;
        const holder = await foreignHolder(ctx, source, key);
        if (holder || ctx.clock.now() - started >= NAME_TAKEN_MS)
            throw nameTaken(ctx, source, key, holder);
        ctx.log.info(`No intermediate copy to take up or make yet: the name ${intermediateName(source, key)} is taken (a concurrent run's copy may not show yet, ` +
            `or a removed copy may still hold the name), or the copy found was just removed. Looking again in ${Math.round(delay / 1000)} s.`);
        await ctx.clock.sleep(delay, ctx.signal);
        delay = Math.min(delay * 2, reencrypt_MAX_DELAY_MS);
    }
}
/**
 * The held copy once it is available and, when another run made it, confirmed (lease.ts); undefined when it was
 * removed meanwhile (deregistered, or vanished during the wait).
 */
async function usable(ctx, held, key) {
    const region = ctx.request.sourceRegion;
    const { imageId } = held;
    try {
        const image = await waitForImage({ label: 'intermediate copy', ...siteOf(ctx.source, region), imageId, ec2: ctx.source.ec2(region), keyDescription: key.arn, seen: !held.made }, { clock: ctx.clock, log: ctx.log, signal: ctx.signal, deadline: ctx.deadline });
        return held.made ? image : await confirmLease(ctx, imageId, held.leasedAt);
    }
    catch (error) {
        if (ctx.signal.aborted || (await currentImage(ctx, imageId)))
            throw error;
        return undefined;
    }
}
/** How many intermediate copies a run makes or takes up when the one it relied on was removed by another run. */
const ATTEMPTS = 3;
function removedEachTime(ctx, source, key, removed) {
    return new errors/* PromotionError */.g1({
        ...siteOf(ctx.source, ctx.request.sourceRegion),
        what: `Re-encrypting ${source.imageId} with ${key.arn}`,
        why: `the intermediate copy was removed ${removed.length} times while this run waited for it (${removed.join(', ')}), most probably each time by the ` +
            `cleanup of another run promoting ${source.imageId} under the same key (for example another job of a job matrix) that did not see this run's ` +
            'lease yet: EC2 tags are eventually consistent.',
        fix: 'Re-run this job. If it happens again, start the jobs of the matrix further apart, or run fewer at once (max-parallel).',
    });
}
/**
 * A copy of the AMI in the source account under the CMK, unless the source account owns the AMI
 * and every snapshot is already under the CMK (then the AMI itself is shared). Several runs of the same source and
 * key share one copy, each under its own lease (lease.ts); a copy another run removed is made or taken up again.
 */
async function reencrypt(ctx, source, key, needed) {
    if (!needed) {
        ctx.log.info(`${source.imageId} is owned by the source account and every snapshot is under ${key.arn}: sharing it as it is.`);
        return { imageId: source.imageId, snapshotIds: source.snapshots.map((s) => s.snapshotId), intermediate: false, deviceSnapshots: deviceSnapshotsOf(source.registration.BlockDeviceMappings) };
    }
    const region = ctx.request.sourceRegion;
    const removed = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const held = await holdIntermediate(ctx, source, key, attempt);
        const image = await usable(ctx, held, key);
        if (image) {
            const snapshotIds = snapshotIdsOf(image);
            ctx.journal.record({ kind: 'intermediate-copy', region, imageId: held.imageId, snapshotIds });
            return { imageId: held.imageId, snapshotIds, intermediate: true, copiedFrom: copiedFrom(image), deviceSnapshots: deviceSnapshotsOf(image.BlockDeviceMappings ?? []) };
        }
        removed.push(held.imageId);
        ctx.journal.record({ kind: 'intermediate-gone', region, imageId: held.imageId });
        if (attempt < ATTEMPTS) {
            ctx.log.warning(`The intermediate copy ${held.imageId} was removed while this run relied on it, most probably by the cleanup of another run promoting ` +
                `${source.imageId} (for example another job of a job matrix) that did not see this run's lease yet: ` +
                `taking up or making another one (attempt ${attempt + 1} of ${ATTEMPTS}).`);
        }
    }
    throw removedEachTime(ctx, source, key, removed);
}

;// CONCATENATED MODULE: ./src/domain/steps/share-onward.ts





// An AMI is shared with at most 1,000 entities per Region unless the quota is raised:
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-quotas.html
function launchPermissionOf(recipient) {
    switch (recipient.kind) {
        case 'account':
            return { UserId: recipient.accountId };
        case 'organization':
            return { OrganizationArn: recipient.arn };
        default:
            return { OrganizationalUnitArn: recipient.arn };
    }
}
function names(permission, recipient) {
    const id = (0,policy_recipients/* recipientId */.b1)(recipient);
    return permission.UserId === id || permission.OrganizationArn === id || permission.OrganizationalUnitArn === id;
}
/**
 * Launch permission for every recipient not yet named, in one call per AMI. Recipients need nothing on the snapshots to
 * launch the AMI ("the system provides the instance access to the referenced EBS snapshots for the launch"), only the
 * use of their key; snapshots cannot be shared with organizations or OUs at all, so none are shared.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/share-amis-org-ou-manage.html
 */
async function shareImage(ctx, { region, imageId }, recipients) {
    const site = siteOf(ctx.target, region);
    const ec2 = ctx.target.ec2(region);
    const current = await (0,explain/* call */.T1)({ ...site, what: `Reading the launch permissions of ${imageId}`, action: 'ec2:DescribeImageAttribute' }, () => ec2.send(new dist_cjs/* DescribeImageAttributeCommand */.OkE({ ImageId: imageId, Attribute: 'launchPermission' })));
    const permissions = current.LaunchPermissions ?? [];
    const missing = recipients.filter((r) => !permissions.some((p) => names(p, r)));
    for (const part of batches(missing, PERMISSIONS_PER_CALL.image)) {
        const ids = part.map(policy_recipients/* recipientId */.b1);
        await (0,explain/* call */.T1)({ ...site, what: `Sharing ${imageId} with ${ids.join(', ')}`, action: 'ec2:ModifyImageAttribute' }, () => ec2.send(new dist_cjs/* ModifyImageAttributeCommand */.FE3({ ImageId: imageId, LaunchPermission: { Add: part.map(launchPermissionOf) } })));
    }
    const share = {
        accountId: ctx.target.identity.accountId,
        region,
        imageId,
        added: missing.map(policy_recipients/* recipientId */.b1),
        already: recipients.filter((r) => !missing.includes(r)).map(policy_recipients/* recipientId */.b1),
    };
    ctx.log.info(`${imageId} (${share.accountId}, ${region}) may be launched by ${recipients.map(policy_recipients/* recipientId */.b1).join(', ')}: ` +
        `${share.added.length > 0 ? `added ${share.added.join(', ')}` : 'nothing new'}${share.already.length > 0 ? `; already shared: ${share.already.join(', ')}` : ''}.`);
    return share;
}
/** share-with: every promoted AMI of the target account, new or reused, gets launch permissions for the recipients. */
async function shareOnward(ctx, images) {
    const recipients = (0,policy_recipients/* recipientsOf */.wX)(ctx.request.shareWith, ctx.target.identity.accountId);
    if (recipients.length === 0)
        return [];
    return Promise.all(images.map((image) => shareImage(ctx, image, recipients)));
}

;// CONCATENATED MODULE: ./src/domain/steps/share.ts





/** Target accounts that a permission list does not name yet. */
function missingFrom(permissions, accountIds) {
    return accountIds.filter((id) => !permissions?.some((p) => p.UserId === id));
}
async function share_shareImage(ctx, image, accountIds) {
    const region = ctx.request.sourceRegion;
    const ec2 = ctx.source.ec2(region);
    const site = siteOf(ctx.source, region);
    const current = await (0,explain/* call */.T1)({ ...site, what: `Reading the launch permissions of ${image.imageId}`, action: 'ec2:DescribeImageAttribute' }, () => ec2.send(new dist_cjs/* DescribeImageAttributeCommand */.OkE({ ImageId: image.imageId, Attribute: 'launchPermission' })));
    const add = missingFrom(current.LaunchPermissions, accountIds);
    for (const batch of batches(add, PERMISSIONS_PER_CALL.image)) {
        await (0,explain/* call */.T1)({ ...site, what: `Sharing ${image.imageId} with account ${batch.join(', ')}`, action: 'ec2:ModifyImageAttribute' }, () => ec2.send(new dist_cjs/* ModifyImageAttributeCommand */.FE3({ ImageId: image.imageId, LaunchPermission: { Add: batch.map((UserId) => ({ UserId })) } })));
        for (const accountId of batch)
            ctx.journal.record({ kind: 'launch-permission', region, imageId: image.imageId, accountId });
    }
    return { resourceId: image.imageId, added: add };
}
async function shareSnapshot(ctx, snapshotId, accountIds) {
    const region = ctx.request.sourceRegion;
    const ec2 = ctx.source.ec2(region);
    const site = siteOf(ctx.source, region);
    const current = await (0,explain/* call */.T1)({ ...site, what: `Reading the volume permissions of ${snapshotId}`, action: 'ec2:DescribeSnapshotAttribute' }, () => ec2.send(new dist_cjs/* DescribeSnapshotAttributeCommand */.x0J({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' })));
    const add = missingFrom(current.CreateVolumePermissions, accountIds);
    for (const batch of batches(add, PERMISSIONS_PER_CALL.snapshot)) {
        await (0,explain/* call */.T1)({ ...site, what: `Sharing snapshot ${snapshotId} with account ${batch.join(', ')}`, action: 'ec2:ModifySnapshotAttribute' }, () => ec2.send(new dist_cjs/* ModifySnapshotAttributeCommand */.KD0({
            SnapshotId: snapshotId,
            Attribute: 'createVolumePermission',
            CreateVolumePermission: { Add: batch.map((UserId) => ({ UserId })) },
        })));
        for (const accountId of batch)
            ctx.journal.record({ kind: 'volume-permission', region, snapshotId, accountId });
    }
    return { resourceId: snapshotId, added: add };
}
/**
 * Launch permission on the AMI (not with copy-method snapshots) and createVolumePermission on each snapshot, for the target accounts only, each
 * resource in one call for all of them. A permission that already existed is not added again and never removed
 * by cleanup, so each resource's permissions are read first.
 */
async function shareWithTargets(ctx, image) {
    const accountIds = targetAccountIds(ctx);
    const sharedImage = () => share_shareImage(ctx, image, accountIds).catch(image.intermediate ? removedByAnotherRun(ctx, image.imageId, `Sharing ${image.imageId} with account ${accountIds.join(', ')}`) : undefined);
    // copy-method snapshots: the snapshots only, never a launch permission on the AMI.
    const images = ctx.request.copyMethod === 'snapshots' ? [] : [sharedImage()];
    const settled = await Promise.allSettled([...images, ...image.snapshotIds.map((id) => shareSnapshot(ctx, id, accountIds))]);
    // The image's failure first: when the intermediate copy is gone, its snapshots are too, and the image's error says why.
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure)
        throw failure.reason;
    const shared = settled.map((result) => result.value);
    const report = {
        added: shared.filter((s) => s.added.length > 0).map((s) => s.resourceId),
        alreadyShared: shared.filter((s) => s.added.length < accountIds.length).map((s) => s.resourceId),
    };
    ctx.log.info(`Shared with account ${accountIds.join(', ')}: ${report.added.join(', ') || 'nothing new'}` +
        (report.alreadyShared.length ? `; already shared before this run: ${report.alreadyShared.join(', ')}` : ''));
    return report;
}

;// CONCATENATED MODULE: ./src/domain/steps/launch-templates.ts






/** VersionDescription: "Length Constraints: Maximum length of 255" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateVersion.html). */
const VERSION_DESCRIPTION_MAX = 255;
/** What the new version says about itself: the promoted AMI, where it comes from and the run that made it. */
function versionDescription(ctx, imageId) {
    const { request } = ctx;
    const { runUrl, repository, commitSha } = request.provenance;
    const run = runUrl ?? (repository ? `${repository}@${commitSha ?? 'unknown commit'}` : undefined);
    const text = `${imageId} promoted from ${request.sourceAmiId} (account ${ctx.source.identity.accountId}, ${request.sourceRegion}) by promote-encrypted-ami${run ? ` in ${run}` : ''}`;
    return text.length > VERSION_DESCRIPTION_MAX ? `${text.slice(0, VERSION_DESCRIPTION_MAX - 3)}...` : text;
}
function templateSite(ctx, region, template, what, action) {
    const resource = (0,aws_arn/* launchTemplateArn */.DG)(ctx.target.spec.role.partition, region, ctx.target.identity.accountId, template.templateId);
    return { ...siteOf(ctx.target, region), what, action, resource };
}
/**
 * A version of the default version with only the ImageId changed: "If you specify this parameter, the new version
 * inherits the launch parameters from the source version"; the ClientToken ("Maximum 128 ASCII characters") makes a
 * retry of the same attempt return the same version.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html
 */
async function createVersion(ctx, region, template, imageId) {
    const { runId, runAttempt } = ctx.request.provenance;
    const site = templateSite(ctx, region, template, `Making a version of the launch template ${templateLabel(template)} with ${imageId}`, 'ec2:CreateLaunchTemplateVersion');
    const response = await (0,explain/* call */.T1)(site, async () => {
        const answer = await ctx.target.ec2(region).send(new dist_cjs/* CreateLaunchTemplateVersionCommand */.B_$({
            LaunchTemplateId: template.templateId,
            SourceVersion: String(template.defaultVersion),
            LaunchTemplateData: { ImageId: imageId },
            VersionDescription: versionDescription(ctx, imageId),
            ClientToken: clientToken('launch-template-version', runId, runAttempt, template.templateId, imageId),
        }));
        if (answer.LaunchTemplateVersion?.VersionNumber === undefined)
            throw new Error('EC2 returned no version number.');
        return { version: answer.LaunchTemplateVersion.VersionNumber, warnings: answer.Warning?.Errors ?? [] };
    });
    for (const warning of response.warnings) {
        ctx.log.warning(`Launch template ${templateLabel(template)} in ${region}, version ${response.version}: ${warning.Code ?? 'warning'}: ${warning.Message ?? ''}`);
    }
    return response.version;
}
/** https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyLaunchTemplate.html (SetDefaultVersion; DefaultVersion in the SDK). */
async function makeDefault(ctx, region, template, version) {
    const site = templateSite(ctx, region, template, `Making version ${version} the default of the launch template ${templateLabel(template)}`, 'ec2:ModifyLaunchTemplate');
    await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* ModifyLaunchTemplateCommand */.ddr({ LaunchTemplateId: template.templateId, DefaultVersion: String(version) })));
}
function logLine(template, region, imageId, found, result) {
    const what = found ? `version ${result.version} already holds ${imageId}, reused` : `made version ${result.version} with ${imageId} from version ${template.defaultVersion}`;
    const isDefault = result.isDefault ? (found?.isDefault ? '; it is the default' : '; made it the default') : '';
    return `Launch template ${templateLabel(template)} in ${region} of account ${result.accountId}: ${what}${isDefault}.`;
}
async function updateTemplate(ctx, { region, imageId }, nameOrId) {
    const template = await findLaunchTemplate(ctx, region, nameOrId);
    const found = await versionWithImage(ctx, region, template, imageId);
    const version = found?.version ?? (await createVersion(ctx, region, template, imageId));
    const isDefault = found?.isDefault === true || ctx.request.launchTemplateDefault;
    if (isDefault && !found?.isDefault)
        await makeDefault(ctx, region, template, version);
    const result = {
        accountId: ctx.target.identity.accountId,
        region,
        templateId: template.templateId,
        templateName: template.templateName,
        version,
        created: !found,
        isDefault,
    };
    ctx.log.info(logLine(template, region, imageId, found, result));
    return result;
}
/**
 * launch-template: in every region, a version of each template with the promoted AMI of that region, made the default
 * when launch-template-default asks for it. Nothing is deleted and nothing is journaled: the versions are part of the
 * result.
 */
async function updateLaunchTemplates(ctx, images) {
    const work = images.flatMap((image) => ctx.request.launchTemplates.map((nameOrId) => updateTemplate(ctx, image, nameOrId)));
    return Promise.all(work);
}

;// CONCATENATED MODULE: ./src/domain/steps/retire.ts





/**
 * Why DeregisterImage left a snapshot, by DeleteSnapshotResults ReturnCode.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshotReturnCode.html
 */
function snapshotKeptReason(result, region) {
    const byHand = `delete it with ${manual_manual.deleteSnapshot(region, result.SnapshotId ?? 'SNAPSHOT_ID')}`;
    switch (result.ReturnCode) {
        case 'skipped':
            return 'another AMI uses it (skipped)';
        case 'missing-permissions':
            return `the role may not call ec2:DeleteSnapshot on it (missing-permissions); allow it, or ${byHand}`;
        case 'internal-error':
            return `AWS failed to delete it (internal-error); ${byHand}`;
        default:
            return `not deleted (${result.ReturnCode ?? 'no result'}), for example because a snapshot lock holds it; the DeleteSnapshot event in CloudTrail says why; then ${byHand}`;
    }
}
/**
 * Deregisters the image and deletes its snapshots in the same call; a snapshot another AMI uses, or that cannot be
 * deleted, stays and is reported. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html
 */
async function retire_deregister(ctx, region, image) {
    const site = { what: `Deregistering the earlier promotion ${image.imageId} and deleting its snapshots`, ...siteOf(ctx.target, region), action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'] };
    const response = await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* DeregisterImageCommand */.x2c({ ImageId: image.imageId, DeleteAssociatedSnapshots: true })));
    const snapshotsKept = (response.DeleteSnapshotResults ?? [])
        .filter((result) => result.ReturnCode !== 'success')
        .map((result) => ({ snapshotId: result.SnapshotId ?? 'unknown', reason: snapshotKeptReason(result, region) }));
    return { imageId: image.imageId, name: image.name, action: 'deregistered', snapshotsKept };
}
/**
 * Disabling removes every launch permission; EnableImage makes the AMI available again, but those who lost access do
 * not regain it. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisableImage.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImage.html
 */
async function disable(ctx, region, image) {
    const site = { what: `Disabling the earlier promotion ${image.imageId}`, ...siteOf(ctx.target, region), action: 'ec2:DisableImage' };
    await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* DisableImageCommand */.LLh({ ImageId: image.imageId })));
    const undo = `aws ec2 enable-image --image-id ${image.imageId} --region ${region} (then share it again: disabling removed its launch permissions)`;
    return { imageId: image.imageId, name: image.name, action: 'disabled', undo, snapshotsKept: [] };
}
/** Deprecates the image at the next whole minute (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html). */
async function deprecate(ctx, region, image) {
    const site = { what: `Deprecating the earlier promotion ${image.imageId}`, ...siteOf(ctx.target, region), action: 'ec2:EnableImageDeprecation' };
    const input = { ImageId: image.imageId, DeprecateAt: deprecateAt(ctx.clock.now()) };
    await (0,explain/* call */.T1)(site, () => ctx.target.ec2(region).send(new dist_cjs/* EnableImageDeprecationCommand */.cJk(input)));
    const undo = `aws ec2 disable-image-deprecation --image-id ${image.imageId} --region ${region}`;
    return { imageId: image.imageId, name: image.name, action: 'deprecated', undo, snapshotsKept: [] };
}
const RETIRE = { deprecate, disable, deregister: retire_deregister };
function logReport(ctx, report) {
    for (const image of report.retired) {
        ctx.log.info(`retire-previous: ${image.action} ${image.imageId} (${image.name}) in ${report.region}${image.undo ? `; to undo: ${image.undo}` : ''}`);
        for (const snapshot of image.snapshotsKept)
            ctx.log.warning(`retire-previous: snapshot ${snapshot.snapshotId} of ${image.imageId} was kept: ${snapshot.reason}`);
    }
    for (const image of report.kept)
        ctx.log.info(`retire-previous: kept ${image.imageId} (${image.name}) in ${report.region}: ${image.reason}`);
}
async function carryOut(ctx, plan, mode) {
    const retired = [];
    for (const image of plan.retire)
        retired.push(await RETIRE[mode](ctx, plan.region, image));
    const kept = plan.kept.map(({ image, reason }) => ({ imageId: image.imageId, name: image.name, reason }));
    const report = { accountId: ctx.target.identity.accountId, region: plan.region, retired, kept };
    logReport(ctx, report);
    return report;
}
/**
 * retire-previous: in each region where this run has a promoted AMI available, retires the earlier promotions of the
 * lineage that planRetirement does not keep. Mode none makes no call.
 */
async function retireEarlier(ctx, images) {
    const { mode } = ctx.request.retire;
    if (mode === 'none')
        return [];
    const current = images.map((image) => image.imageId);
    const regions = [...new Set(images.map((image) => image.region))];
    return Promise.all(regions.map(async (region) => carryOut(ctx, await planRetirement(ctx, region, current), mode)));
}

;// CONCATENATED MODULE: ./src/domain/pipeline.ts















/** Every check, read-only, before the first change in any account; each finding is logged. */
async function runPreflight(ctx) {
    return ctx.log.group('Preflight', async () => {
        const pre = await preflight(ctx);
        for (const finding of pre.findings) {
            const line = formatFinding(finding);
            if (finding.status === 'warning')
                ctx.log.warning(line);
            else
                ctx.log.info(line);
        }
        return pre;
    });
}
/** Gives every target role use of the source key as key-access says; key-policy changes go one after the other. */
async function giveKeyAccess(ctx, plan) {
    const mode = ctx.request.keyAccess;
    if (mode === 'verify') {
        ctx.log.info(`The key policy and the target roles' IAM policies already allow the copy (checked before any change).`);
        return [];
    }
    if (mode === 'grant') {
        const results = await Promise.all(plan.targets.map(({ target }) => grantKeyAccess(forTarget(ctx, target), plan.sourceKey)));
        return results.flatMap((r) => r.changes);
    }
    const changes = [];
    for (const { target } of plan.targets)
        changes.push(...(await addKeyPolicyStatements(forTarget(ctx, target), plan.sourceKey)).changes);
    return changes;
}
/**
 * The copies into every target account and region, at most max-parallel-copies at a time. A failed copy does not
 * stop the others: each one is awaited, and the failures are returned with their account and region.
 */
async function copyEverywhere(ctx, plan, shared) {
    const limit = pLimit(ctx.request.maxParallelCopies);
    const jobs = plan.targets.flatMap((t, index) => regionsToCopy(t).map((key) => ({ index, key, target: t.target })));
    const bySnapshots = ctx.request.copyMethod === 'snapshots' ? { image: plan.sourceImage, shared, uefiData: await readUefiData(ctx, shared) } : undefined;
    const copy = (target, key) => (bySnapshots ? copySnapshotsInto(target, bySnapshots, key) : copyInto(target, plan.sourceImage, shared, key));
    const settled = await Promise.allSettled(jobs.map((job) => limit(() => copy(forTarget(ctx, job.target), job.key))));
    // A cancellation is not a failed copy: it ends the run as it is.
    if (ctx.signal.aborted)
        throw ctx.signal.reason;
    const copies = plan.targets.map(() => []);
    const failures = [];
    settled.forEach((result, i) => {
        const job = jobs[i];
        if (result.status === 'fulfilled')
            copies[job.index]?.push(result.value);
        else
            failures.push({ accountId: job.target.identity.accountId, region: job.key.region, error: result.reason });
    });
    return { copies, failures };
}
async function grantAutoscaling(ctx, plans) {
    const changes = await Promise.all(plans.flatMap(({ target, keys }) => keys.map((key) => grantAutoscalingAccess(forTarget(ctx, target), key))));
    return changes.filter((c) => c !== undefined);
}
function regionResult(key, copy, existing) {
    if (copy)
        return { region: key.region, imageId: copy.imageId, snapshotIds: copy.snapshotIds, key: key.display, seconds: copy.seconds, reused: false, copiedFrom: copy.copiedFrom };
    const reused = existing.find((e) => e.region === key.region);
    return { region: key.region, imageId: reused.imageId, snapshotIds: reused.snapshotIds, key: key.display, reused: true, copiedFrom: reused.copiedFrom };
}
/** The promoted AMI of every account and region, new or reused; the regions whose copy failed are left out. */
function targetResults(plans, copies = []) {
    return plans.map((plan, i) => {
        const copied = copies[i] ?? [];
        const promoted = plan.keys.filter((key) => copied.some((c) => c.region === key.region) || plan.existing.some((e) => e.region === key.region));
        return {
            accountId: plan.target.identity.accountId,
            regions: promoted.map((key) => regionResult(key, copied.find((c) => c.region === key.region), plan.existing)),
        };
    });
}
/** Deregistration protection, deprecation and SSM parameters on every promoted AMI, new or reused (all idempotent). */
async function finishEverywhere(ctx, plans, results) {
    const reports = await Promise.all(plans.map((plan, i) => finishImages(forTarget(ctx, plan.target), results[i]?.regions ?? [])));
    return { deprecateAt: reports[0]?.deprecateAt, protectedImages: reports.flatMap((r) => r.protectedImages), ssmParameters: reports.flatMap((r) => r.ssmParameters) };
}
/** share-with: launch permissions on every promoted AMI, new or reused; never journaled, so cleanup keeps them. */
async function shareOnwardEverywhere(ctx, plans, results) {
    if (ctx.request.shareWith.length === 0)
        return [];
    const shares = await ctx.log.group('Share onward', () => Promise.all(plans.map((plan, i) => shareOnward(forTarget(ctx, plan.target), results[i]?.regions ?? []))));
    return shares.flat();
}
/** One step after the copy in every target account at once; an account's failure does not stop the others. */
async function inEveryAccount(ctx, plans, results, step, run) {
    const settled = await ctx.log.group(step, () => Promise.allSettled(plans.map((plan, i) => run(forTarget(ctx, plan.target), results[i]?.regions ?? []))));
    if (ctx.signal.aborted)
        throw ctx.signal.reason;
    const done = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ step, accountId: plans[i]?.target.identity.accountId ?? '', error: s.reason }] : []));
    return { done, failures };
}
/**
 * launch-template, then retire-previous (once the templates use the new AMI), where the promoted AMI is available;
 * neither is journaled: the versions and the retirement are part of the result.
 */
async function afterCopy(ctx, plans, results) {
    const { request } = ctx;
    const templates = request.launchTemplates.length > 0 ? await inEveryAccount(ctx, plans, results, 'Launch templates', updateLaunchTemplates) : { done: [], failures: [] };
    const retired = request.retire.mode !== 'none' ? await inEveryAccount(ctx, plans, results, 'Retire earlier promotions', retireEarlier) : { done: [], failures: [] };
    return { launchTemplates: templates.done, retirement: retired.done, afterCopyFailures: [...templates.failures, ...retired.failures] };
}
/** The changes, in order, each recorded in the journal as soon as it succeeds. */
async function executePlan(ctx, plan) {
    const { log } = ctx;
    const shared = await log.group('Re-encrypt', () => reencrypt(ctx, plan.sourceImage, plan.sourceKey, plan.reencrypt));
    const keyChanges = await log.group('Key access', () => giveKeyAccess(ctx, plan));
    const share = await log.group('Share', () => shareWithTargets(ctx, shared));
    const { copies, failures } = await log.group('Copy into the target accounts', () => copyEverywhere(ctx, plan, shared));
    const autoscaling = ctx.request.autoscalingAccess === 'grant' ? await log.group('Auto Scaling access', () => grantAutoscaling(ctx, plan.targets)) : [];
    const targets = targetResults(plan.targets, copies);
    const finish = await log.group('Finish', () => finishEverywhere(ctx, plan.targets, targets));
    const onward = await shareOnwardEverywhere(ctx, plan.targets, targets);
    const after = await afterCopy(ctx, plan.targets, targets);
    return {
        sourceAccountId: ctx.source.identity.accountId,
        targets,
        failures,
        reused: false,
        keyChanges: [...keyChanges, ...autoscaling],
        reencryptedImageId: shared.intermediate ? shared.imageId : undefined,
        reencryptedFrom: shared.intermediate ? shared.copiedFrom : undefined,
        share,
        finish,
        onward,
        ...after,
    };
}
/** Every region already promoted: only the finishing touches are applied again. */
async function finishReused(ctx, plan) {
    const targets = targetResults(plan.targets);
    const finish = await ctx.log.group('Finish', () => finishEverywhere(ctx, plan.targets, targets));
    const onward = await shareOnwardEverywhere(ctx, plan.targets, targets);
    const after = await afterCopy(ctx, plan.targets, targets);
    return { sourceAccountId: ctx.source.identity.accountId, targets, failures: [], reused: true, keyChanges: [], finish, onward, ...after };
}
/** The promotion after its preflight: refused when something is missing, else the changes. Cleanup is the caller's. */
async function promote(ctx, pre) {
    const plan = planFrom(pre);
    return 'sourceImage' in plan ? executePlan(ctx, plan) : finishReused(ctx, plan);
}

;// CONCATENATED MODULE: ./src/domain/preflight/decode-authorization.ts



const ENCODED = /Encoded authorization failure message:\s*([A-Za-z0-9_\-+/=]+)/;
function encodedMessageOf(error) {
    const cause = error.details.cause;
    const text = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
    return ENCODED.exec(text)?.[1];
}
/** The role behind an assumed-role session ARN: the session has no policy of its own, its role has. Other ARNs as they are. */
function policyHolder(arn) {
    const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
    return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : arn;
}
/** The account whose credentials made the failed call. */
function decode_authorization_accountOf(ctx, error) {
    const { side, accountId } = error.details;
    if (side === 'source')
        return ctx.source;
    if (side === 'target')
        return ctx.targets.find((t) => t.identity.accountId === accountId) ?? (ctx.targets.length === 1 ? ctx.targets[0] : undefined);
    return undefined;
}
/**
 * For an EC2 UnauthorizedOperation that carries an encoded authorization message, asks STS to decode it
 * (sts:DecodeAuthorizationMessage, with the same side's credentials) and names the exact action and resource.
 */
async function withDecodedAuthorization(error, ctx, region) {
    const encoded = encodedMessageOf(error);
    const account = decode_authorization_accountOf(ctx, error);
    if (!encoded || !account)
        return error;
    let decoded;
    try {
        const response = await account.sts(error.details.region ?? region).send(new client_sts_dist_cjs/* DecodeAuthorizationMessageCommand */.w9({ EncodedMessage: encoded }));
        decoded = JSON.parse(response.DecodedMessage ?? '{}');
    }
    catch (decodeError) {
        return new errors/* PromotionError */.g1({
            ...error.details,
            why: `${error.details.why} (The encoded authorization message could not be decoded: ${(0,errors/* errorMessage */.gJ)(decodeError)}; allow sts:DecodeAuthorizationMessage to see which policy denied it.)`,
        });
    }
    const action = decoded.context?.action;
    const resource = decoded.context?.resource ?? '*';
    const principal = decoded.context?.principal?.arn ?? 'the caller';
    if (!action)
        return error;
    const why = decoded.explicitDeny
        ? `an explicit Deny stops ${principal} from ${action} on ${resource} (a policy, permissions boundary or SCP).`
        : `no policy allows ${principal} ${action} on ${resource}.`;
    const holder = policyHolder(principal);
    const fix = decoded.explicitDeny
        ? `Find the Deny for ${action} that applies to ${holder} (its policies, its permissions boundary, or an organization SCP) and narrow it.`
        : (0,explain/* identityPolicyFix */.Q5)(holder, action, resource);
    return new errors/* PromotionError */.g1({ ...error.details, why: `${why} (decoded from AWS's authorization message)`, fix });
}

;// CONCATENATED MODULE: ./src/github/summary.ts


const summary_escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function duration(seconds) {
    if (seconds === undefined)
        return 'reused';
    return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}
/** The job summary of a promotion: one row per target account and region, then what was shared and changed. */
function addPromotionSummary(request, result) {
    const header = ['Account', 'Region', 'AMI', 'Snapshots', 'Key', 'Time'].map((data) => ({ data, header: true }));
    const rows = result.targets.flatMap((t) => t.regions.map((r) => [t.accountId, r.region, `<code>${r.imageId}</code>`, r.snapshotIds.map((s) => `<code>${s}</code>`).join('<br>'), summary_escape(r.key), duration(r.seconds)]));
    const failed = result.failures.map((f) => [f.accountId, f.region, 'failed', '—', '—', summary_escape(f.error instanceof Error ? f.error.message.split('\n')[0] ?? '' : String(f.error))]);
    const details = [`Source: <code>${request.sourceAmiId}</code> in account ${result.sourceAccountId}, ${request.sourceRegion}`];
    if (result.reused)
        details.push('Every region already had this promotion: nothing was copied, shared or granted.');
    if (result.reencryptedImageId)
        details.push(`Re-encrypted with <code>${request.kmsKey.arn}</code> as <code>${result.reencryptedImageId}</code> (intermediate copy)`);
    if (result.share?.added.length)
        details.push(`Shared with the target accounts for the copy: ${result.share.added.map((id) => `<code>${id}</code>`).join(', ')}`);
    if (result.share?.alreadyShared.length)
        details.push(`Already shared before this run (left as is): ${result.share.alreadyShared.join(', ')}`);
    for (const change of result.keyChanges)
        details.push(`Key access: ${summary_escape(change)}`);
    if (result.finish?.protectedImages.length)
        details.push('Deregistration protection: on');
    if (result.finish?.deprecateAt)
        details.push(`Deprecated from ${result.finish.deprecateAt.toISOString()}`);
    if (result.finish?.ssmParameters.length)
        details.push(`SSM parameter: ${result.finish.ssmParameters.join(', ')}`);
    for (const share of result.onward) {
        const added = share.added.length > 0 ? `added now: ${share.added.map(summary_escape).join(', ')}` : 'nothing new';
        const already = share.already.length > 0 ? `; already: ${share.already.map(summary_escape).join(', ')}` : '';
        details.push(`Shared onward (kept): <code>${share.imageId}</code> (${share.accountId}, ${share.region}), ${added}${already}`);
    }
    lib_core/* summary */.z.addHeading('AMI promotion', 2).addTable([header, ...rows, ...failed]).addList(details);
}
/** One row per preflight check: ok / missing / unchecked / warning, with the fix. */
function addPreflightSummary(findings) {
    const header = ['Check', 'Account', 'Result', 'Detail and fix'].map((data) => ({ data, header: true }));
    const rows = findings.map((f) => [
        summary_escape(f.check),
        findingPlace(f),
        f.status === 'unchecked' ? 'could not check' : f.status,
        summary_escape(f.detail) + (f.fix ? `<br><b>Fix:</b> <pre>${summary_escape(f.fix)}</pre>` : ''),
    ]);
    lib_core/* summary */.z.addHeading('Preflight', 3).addTable([header, ...rows]);
}
/** The complete policies for these inputs, collapsed; with several target accounts, each account's own. */
function addPoliciesSummary(policies) {
    const block = (title, value) => `<details><summary>${title}</summary>\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\n</details>`;
    const several = Object.entries(policies.targets ?? {});
    const targets = several.length > 1 ? several.map(([accountId, p]) => [` in account ${accountId}`, p]) : [['', policies]];
    lib_core/* summary */.z
        .addHeading('Policies for these inputs', 3)
        .addRaw(block('Source role: IAM policy', policies.sourceRoleIamPolicy), true)
        .addRaw(block(`Source key: key-policy statements for the target role${targets.length > 1 ? 's' : ''}`, policies.keyPolicyStatements), true);
    for (const [where, p] of targets) {
        lib_core/* summary */.z.addRaw(block(`Target role${where}: IAM policy`, p.targetRoleIamPolicy), true).addRaw(block(`Target role${where}: trust policy`, p.targetTrustPolicy), true);
        if (p.autoscalingKeyStatements.length > 0) {
            lib_core/* summary */.z.addRaw(block(`Target key${where}: statements for the Auto Scaling service-linked role`, p.autoscalingKeyStatements), true);
        }
    }
    if (policies.recipientKeyStatements.length > 0) {
        lib_core/* summary */.z.addRaw(block('Target key: statements for the share-with recipients', policies.recipientKeyStatements), true);
    }
}
/** The job summary's "Cleanup" section: one row per item removed, kept or not removed. */
function summary_addCleanupSummary(report) {
    const place = (item) => `${item.side}${item.accountId ? ` ${item.accountId}` : ''}, ${item.region}`;
    const rows = [
        ...report.removed.map((item) => ['removed', item.what, place(item), item.alreadyGone ? `already gone${item.note ? ` (${item.note})` : ''}` : 'removed by this run']),
        ...report.kept.map((item) => ['kept', item.what, place(item), item.reason]),
        ...report.failed.map((item) => ['failed', item.what, place(item), `${item.why} Fix: ${item.fix}`]),
    ];
    // The toolkit writes an empty cell as an unclosed <td>: every cell has text.
    const header = ['Result', 'Item', 'Account, region', 'Detail'].map((data) => ({ data, header: true }));
    const summary = lib_core/* summary */.z.addHeading('Cleanup', 3);
    if (rows.length === 0)
        summary.addRaw('Nothing was left to undo.', true);
    else
        summary.addTable([header, ...rows]);
}
/** Writes what was added to the job summary; a summary that cannot be written is a warning, never a failure. */
async function summary_writeSummary() {
    try {
        await lib_core/* summary */.z.write();
    }
    catch (error) {
        lib_core/* warning */.$e(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/domain/lineage.ts
function lineage_link(imageId, reported, expected) {
    if (!reported)
        return { imageId, check: 'not reported' };
    const agrees = reported.imageId === expected.imageId && (reported.region === undefined || reported.region === expected.region);
    return { imageId, check: agrees ? 'verified' : 'differs', reported };
}
function promotedLink(request, result, region) {
    // A reused AMI was copied by an earlier run, from that run's intermediate copy (gone by now) or the source itself.
    if (region.reused) {
        const fromSource = region.copiedFrom?.imageId === request.sourceAmiId;
        return { imageId: region.imageId, check: fromSource ? 'verified' : region.copiedFrom ? 'earlier run' : 'not reported', reported: region.copiedFrom };
    }
    const shared = result.reencryptedImageId ?? request.sourceAmiId;
    return lineage_link(region.imageId, region.copiedFrom, { imageId: shared, region: request.sourceRegion });
}
/**
 * The lineage of every promoted AMI, each link checked against SourceImageId and SourceImageRegion, which EC2 sets
 * on the AMIs CopyImage makes. https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-ancestry.html
 */
function lineageOf(request, result) {
    const intermediate = result.reencryptedImageId
        ? lineage_link(result.reencryptedImageId, result.reencryptedFrom, { imageId: request.sourceAmiId, region: request.sourceRegion })
        : undefined;
    return result.targets.flatMap((target) => target.regions.map((region) => ({
        accountId: target.accountId,
        region: region.region,
        source: request.sourceAmiId,
        intermediate: region.reused ? undefined : intermediate,
        promoted: promotedLink(request, result, region),
    })));
}

;// CONCATENATED MODULE: ./src/github/after-copy-summary.ts



const code = (text) => `<code>${text}</code>`;
function linkCell(link) {
    const reported = link.reported ? `${link.reported.imageId}${link.reported.region ? ` (${link.reported.region})` : ''}` : '';
    const check = {
        verified: 'verified (SourceImageId)',
        'not reported': 'EC2 reports no source',
        differs: `EC2 reports ${reported}`,
        'earlier run': `copied by an earlier run from ${reported}`,
    }[link.check];
    return `${code(link.imageId)}<br>${check}`;
}
/** Source AMI → intermediate copy → promoted AMI, per account and region, as EC2 records it. */
function addLineageSummary(lineages) {
    if (lineages.length === 0)
        return;
    const header = ['Account', 'Region', 'Source AMI', 'Intermediate copy', 'Promoted AMI'].map((data) => ({ data, header: true }));
    const rows = lineages.map((l) => [l.accountId, l.region, code(l.source), l.intermediate ? linkCell(l.intermediate) : 'none (shared as it is)', linkCell(l.promoted)]);
    lib_core/* summary */.z.addHeading('Lineage', 3).addTable([header, ...rows]);
}
/** launch-template-versions: account ID → region → template ID → version number. */
function launchTemplateVersionsOutput(versions) {
    const output = {};
    for (const v of versions) {
        const regions = (output[v.accountId] ??= {});
        (regions[v.region] ??= {})[v.templateId] = v.version;
    }
    return output;
}
/** One row per launch template version that holds a promoted AMI. */
function addLaunchTemplateSummary(versions) {
    if (versions.length === 0)
        return;
    const header = ['Account', 'Region', 'Launch template', 'Version', 'Note'].map((data) => ({ data, header: true }));
    const rows = versions.map((v) => [
        v.accountId,
        v.region,
        `${code(v.templateId)} (${v.templateName})`,
        String(v.version),
        `${v.created ? 'made by this run' : 'already there (re-run)'}${v.isDefault ? ', default version' : ''}`,
    ]);
    lib_core/* summary */.z.addHeading('Launch templates', 3).addTable([header, ...rows]);
}
/** retired: every earlier promotion retired, with its account, region and what was done. */
function retiredOutput(reports) {
    return reports.flatMap((r) => r.retired.map((image) => ({ 'account-id': r.accountId, region: r.region, 'ami-id': image.imageId, action: image.action })));
}
/** One row per earlier promotion retired or kept, with how to undo it or why it was kept. */
function addRetirementSummary(reports) {
    if (reports.length === 0)
        return;
    const header = ['Account', 'Region', 'AMI', 'Result', 'Detail'].map((data) => ({ data, header: true }));
    const rows = reports.flatMap((r) => [
        ...r.retired.map((image) => {
            const snapshots = image.snapshotsKept.map((s) => `${code(s.snapshotId)} not deleted: ${summary_escape(s.reason)}`);
            const detail = [image.undo ? `Undo: ${code(summary_escape(image.undo))}` : 'not reversible', ...snapshots].join('<br>');
            return [r.accountId, r.region, `${code(image.imageId)} ${summary_escape(image.name)}`, image.action, detail];
        }),
        ...r.kept.map((k) => [r.accountId, r.region, `${code(k.imageId)} ${summary_escape(k.name)}`, 'kept', summary_escape(k.reason)]),
    ]);
    const summary = lib_core/* summary */.z.addHeading('Earlier promotions', 3);
    if (rows.length === 0)
        summary.addRaw('No earlier promotion of this lineage in the target accounts and regions.', true);
    else
        summary.addTable([header, ...rows]);
}
/** What the promotion did after the copy: launch templates, retirement and the lineage of each promoted AMI. */
function addAfterCopySummary(request, result) {
    addLaunchTemplateSummary(result.launchTemplates);
    if (request.retire.mode !== 'none')
        addRetirementSummary(result.retirement);
    addLineageSummary(lineageOf(request, result));
}

// EXTERNAL MODULE: ./src/aws/clients.ts + 1 modules
var clients = __webpack_require__(6076);
// EXTERNAL MODULE: ./src/github/inputs.ts + 3 modules
var inputs = __webpack_require__(1182);
;// CONCATENATED MODULE: ./src/github/logger.ts

const logger_actionsLogger = {
    info: (message) => lib_core/* info */.pq(message),
    warning: (message) => lib_core/* warning */.$e(message),
    debug: (message) => lib_core/* debug */.Yz(message),
    group: (name, fn) => lib_core/* group */.Os(name, fn),
};

// EXTERNAL MODULE: ./src/github/sessions.ts + 3 modules
var sessions = __webpack_require__(8308);
;// CONCATENATED MODULE: ./src/github/cleanup-step.ts









/**
 * The accounts as cleanup names them, from the inputs alone (the post step identifies no one): the source account owns
 * the key; a source without source-role-arn uses credentials from the environment.
 */
function cleanupAccounts(request, source, targets) {
    return {
        source: { clients: source, accountId: request.kmsKey.accountId, roleArn: request.sourceRole?.arn },
        targets: targets.map(({ spec, clients }) => ({ clients, accountId: spec.role.accountId, roleArn: spec.role.arn })),
    };
}
/** The post step's cleanup with fresh sessions: loaded only when the journal holds something to undo; true when nothing is left. */
async function cleanUpAfterMain(journal) {
    const [run] = await Promise.all([loadRunContext(), loadServiceClients()]);
    const inputs = readInputs(run);
    const sessions = openSessions(inputs);
    const accounts = cleanupAccounts(inputs.request, sessions.source, sessions.targets);
    const ctx = { ...accounts, journal, log: actionsLogger, clock: systemClock };
    const report = await core.group('Clean up', () => cleanUp(ctx));
    addCleanupSummary(report);
    await writeSummary();
    if (report.failed.length > 0) {
        core.setFailed(`Cleanup could not undo ${report.failed.length} change(s); they are still in place:\n\n` + report.failed.map((item) => item.message).join('\n\n'));
    }
    else {
        core.info(`Cleanup done: ${report.removed.length} removed, ${report.kept.length} kept on purpose.`);
    }
    return report.failed.length === 0;
}

;// CONCATENATED MODULE: ./src/github/deployment.ts
/**
 * The promotion as a GitHub deployment of the commit to an environment, through the REST API:
 * POST /repos/{owner}/{repo}/deployments and POST /repos/{owner}/{repo}/deployments/{id}/statuses
 * (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment,
 * https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status).
 * Recording never fails or holds up the promotion: every call has a short timeout, is never retried, and a failure is
 * one warning after which nothing more is sent.
 */


// Short enough that a cancelled main step still saves the deployment's ID before the runner kills it (about 10 s after SIGINT).
const REQUEST_TIMEOUT_MS = 5_000;
// "The maximum description length is 140 characters" (deployment statuses); deployments take the same short text.
const DESCRIPTION_LIMIT = 140;
const clip = (text) => (text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`);
const imageList = (images) => images.map((i) => `${i.imageId} (${i.accountId} ${i.region})`).join(', ');
/** The Octokit client of @actions/github (which honours GITHUB_API_URL), loaded only when a deployment is recorded. */
async function deployment_octokitDeploymentApi(token) {
    const { getOctokit } = await __webpack_require__.e(/* import() */ 542).then(__webpack_require__.bind(__webpack_require__, 542));
    return getOctokit(token).rest.repos;
}
/** The deployment target of this run, or undefined (with a warning) outside a workflow run that names its repository and commit. */
function deployment_deploymentTarget(settings, run) {
    const { owner, repo, sha, runUrl } = run;
    if (owner && repo && sha)
        return { environment: settings.environment, owner, repo, sha, runUrl };
    lib_core/* warning */.$e(`The promotion is not recorded in environment "${settings.environment}": the run context names no repository or commit (GITHUB_REPOSITORY, GITHUB_SHA).`);
    return undefined;
}
/** What the warning says about a failed call: GitHub's answer, and the permission to add when GitHub refused. */
function deployment_recordingWarning(environment, what, error) {
    const status = error.status;
    const name = error.name;
    const message = (0,errors/* errorMessage */.gJ)(error);
    const answer = name === 'TimeoutError' || name === 'AbortError' ? `GitHub did not answer within ${REQUEST_TIMEOUT_MS / 1000} s` : `GitHub answered ${typeof status === 'number' ? `${status}: ` : ''}${message}`;
    const head = `Could not record the promotion in environment "${environment}" (${what}): ${answer}. The promotion itself is not affected.`;
    if (status === 403 || status === 401 || status === 404) {
        return (`${head} The token (github-token) needs the permission to write deployments: add to the job\n` +
            'permissions:\n  contents: read\n  id-token: write\n  deployments: write\n' +
            '(a token other than the job\'s needs "Deployments" read and write on this repository).');
    }
    return head;
}
/** The deployment's payload: the promoted AMIs by account and region, what they were promoted from, and the run. */
function deploymentPayload(source, images, runUrl) {
    const amis = {};
    for (const image of images)
        (amis[image.accountId] ??= {})[image.region] = image.imageId;
    return { 'source-ami-id': source.amiId, 'source-region': source.region, amis, ...(runUrl ? { 'run-url': runUrl } : {}) };
}

;// CONCATENATED MODULE: ./src/github/deployment-progress.ts
const deployment_progress_siteKey = (accountId, region) => `${accountId} ${region}`;
/**
 * A journal that calls `onKnown` once, with every promoted AMI in the order of the inputs, as soon as each account and
 * region has one: reused from an earlier promotion, or a copy started (CopyImage names the new AMI at once, long before
 * the copy completes). Without new copies that is at once.
 */
function watchPromotedImages(journal, pre, onKnown) {
    const sites = pre.targets.flatMap(({ target, existing }) => target.spec.regions.map((region) => ({ accountId: target.identity.accountId, region, imageId: existing.find((e) => e.region === region)?.imageId })));
    const started = new Map();
    let told = false;
    const tell = () => {
        const images = sites.map((site) => ({ ...site, imageId: site.imageId ?? started.get(deployment_progress_siteKey(site.accountId, site.region)) }));
        if (told || images.some((image) => image.imageId === undefined))
            return;
        told = true;
        onKnown(images);
    };
    tell();
    return {
        record(entry) {
            journal.record(entry);
            if (entry.kind !== 'target-copy' || entry.accountId === undefined)
                return;
            started.set(deployment_progress_siteKey(entry.accountId, entry.region), entry.imageId);
            tell();
        },
        entries: () => journal.entries(),
    };
}
/** The promoted AMIs of a result, for the final status. */
function promotedImages(result) {
    return result.targets.flatMap((t) => t.regions.map((r) => ({ accountId: t.accountId, region: r.region, imageId: r.imageId })));
}

;// CONCATENATED MODULE: ./src/domain/dry-run.ts






function keyAccessLine(request, key, roles) {
    return {
        verify: 'Key access: nothing to change; the key policy and the target roles already allow the copy.',
        grant: `Key access: create a grant on ${key.arn} for ${roles}, ${request.cleanup ? 'retired after the run' : 'kept (cleanup: false)'}.`,
        'key-policy': `Key access: add the missing statements for ${roles} to the key policy of ${key.arn} (kept).`,
    }[request.keyAccess];
}
/** Per region of one target account: reuse or copy, then the Auto Scaling grants. */
function targetLines(request, { target, knownKeys, existing }) {
    const accountId = target.identity.accountId;
    const lines = knownKeys.map((key) => {
        const reused = existing.find((e) => e.region === key.region);
        if (reused)
            return `${key.region}: reuse ${reused.imageId} in account ${accountId}.`;
        return request.copyMethod === 'snapshots'
            ? `${key.region}: copy every snapshot into account ${accountId} under ${key.display} (CopySnapshot), then register the AMI from the copies with the source's attributes (RegisterImage).`
            : `${key.region}: copy into account ${accountId} under ${key.display}.`;
    });
    if (request.autoscalingAccess === 'grant') {
        const role = autoScalingServiceLinkedRoleArn(target.spec.role.partition, accountId);
        for (const key of knownKeys) {
            if (key.arn && key.keyManager === 'CUSTOMER')
                lines.push(`Auto Scaling: create a grant on ${key.arn} for ${role} unless it has one (kept).`);
        }
    }
    return lines;
}
/** share-with and launch-template: what follows the copy, on new and reused AMIs alike. */
function onwardLines(request) {
    const lines = [];
    if (request.shareWith.length > 0)
        lines.push(`Let ${andList(request.shareWith.map(policy_recipients/* recipientId */.b1))} launch the promoted AMI in every target region (launch permissions, kept).`);
    if (request.launchTemplates.length > 0) {
        const made = request.launchTemplateDefault ? 'and make it the default version' : 'leaving the default version as it is';
        lines.push(`Give the launch template${request.launchTemplates.length > 1 ? 's' : ''} ${andList(request.launchTemplates)} a version with the promoted AMI in every target account and region, ${made} (kept).`);
    }
    return lines;
}
/** retire-previous: what the preflight found each region would retire and keep, with why. */
function retirementLines(pre) {
    return pre.findings.filter((f) => f.check.startsWith(RETIREMENT_CHECK) && f.status === 'ok').map((f) => `Earlier promotions in account ${f.accountId}: ${f.detail}`);
}
function changeLines(request, pre, source, key) {
    const sharedAsIs = isSharableAsIs(source, key.arn);
    const roles = andList(pre.targets.map((t) => t.target.spec.role.arn));
    const accounts = andList(pre.targets.map((t) => t.target.identity.accountId));
    const lines = [
        sharedAsIs
            ? `Share ${source.imageId} as it is: every snapshot is already under ${key.arn}.`
            : `Re-encrypt ${source.imageId} with ${key.arn} in the source account (${request.sourceRegion}) as an intermediate copy.`,
        keyAccessLine(request, key, roles),
        request.copyMethod === 'snapshots'
            ? `Share its ${source.snapshots.length} snapshot(s) with account ${accounts} only (copy-method snapshots: no launch permission on the AMI).`
            : `Share the AMI and its ${source.snapshots.length} snapshot(s) with account ${accounts} only.`,
        ...pre.targets.flatMap((t) => targetLines(request, t)),
        ...onwardLines(request),
        ...retirementLines(pre),
    ];
    // Only what this run would leave behind: a grant only with key-access: grant, an intermediate copy only when re-encrypting.
    const temporary = ['the sharing', ...(request.keyAccess === 'grant' ? ['the grant'] : []), ...(sharedAsIs ? [] : ['the intermediate copy'])];
    lines.push(request.cleanup ? `Then remove ${andList(temporary)}.` : `Then keep ${andList(temporary)} (cleanup: false).`);
    return lines;
}
/** What a real run would do, from a preflight without missing findings. */
function dryRunPlan(request, pre) {
    if (everythingPromoted(pre)) {
        const reused = pre.targets.flatMap((t) => t.existing.map((e) => `${e.region}: ${e.imageId}`));
        return [`Every target region already has this promotion (${reused.join(', ')}); a real run would only re-apply the finishing settings.`, ...onwardLines(request), ...retirementLines(pre)];
    }
    if (!pre.sourceImage || !pre.sourceKey)
        return [];
    return changeLines(request, pre, pre.sourceImage, pre.sourceKey);
}

;// CONCATENATED MODULE: ./src/github/dry-run.ts




/** Logs and summarises the plan of a dry run; nothing was changed. Fails the step when something is missing. */
function reportDryRun(request, pre) {
    const missing = missingFindings(pre);
    const lines = dryRunPlan(request, pre);
    lib_core/* summary */.z.addHeading('AMI promotion: dry run', 2).addRaw('Nothing was changed in any account.', true);
    if (missing.length === 0) {
        lib_core/* info */.pq(`Dry run: nothing was changed. A real run would:\n${lines.map((l) => `- ${l}`).join('\n')}`);
        lib_core/* summary */.z.addRaw('A real run would:', true).addList(lines);
        return;
    }
    const list = missing.map((f, i) => `${i + 1}. ${f.check} (${findingPlace(f)}): ${f.detail}${f.fix ? `\n   Fix: ${f.fix}` : ''}`).join('\n');
    lib_core/* summary */.z.addRaw(`A real run would stop: ${missing.length} thing(s) are missing (see the preflight table).`, true);
    lib_core/* setFailed */.C1(`Dry run: nothing was changed; ${missing.length} thing(s) must be fixed before a real run:\n${list}`);
}

;// CONCATENATED MODULE: ./src/github/deployment-inputs.ts

/**
 * deployment-environment and github-token; undefined when no environment is named (nothing is recorded) or there is
 * no token (a warning: recording never stops a promotion). The token is masked before anything can print it.
 */
function deployment_inputs_readDeploymentSettings() {
    const environment = lib_core/* getInput */.V4('deployment-environment');
    if (environment === '')
        return undefined;
    const token = lib_core/* getInput */.V4('github-token');
    if (token === '') {
        lib_core/* warning */.$e(`github-token is empty, so the promotion is not recorded in environment "${environment}". ` +
            "Leave github-token at its default (the job's token) or pass a token with deployments: write.");
        return undefined;
    }
    lib_core/* setSecret */.Pq(token);
    return { environment, token };
}

;// CONCATENATED MODULE: ./src/domain/journal.ts
class MemoryJournal {
    onChange;
    now;
    list;
    /** `now`, when given, stamps each recorded entry with `at`. */
    constructor(initial = [], onChange, now) {
        this.onChange = onChange;
        this.now = now;
        this.list = [...initial];
    }
    record(entry) {
        this.list.push(this.now ? { ...entry, at: this.now() } : entry);
        this.onChange?.(this.list);
    }
    entries() {
        return this.list;
    }
}

;// CONCATENATED MODULE: ./src/github/state.ts



/** The state name under which the main step saves its journal for the post step. */
const JOURNAL_STATE = 'journal';
const state_KINDS = new Set([
    'intermediate-copy',
    'lease',
    'intermediate-gone',
    'launch-permission',
    'volume-permission',
    'grant',
    'key-policy-statement',
    'target-copy',
    'target-copy-done',
    'target-snapshot-copy',
    'cleaned',
    'kept',
]);
/** Parses saved journal state; empty or absent state is an empty journal. */
function parseJournalState(raw) {
    if (raw.trim() === '')
        return [];
    let parsed;
    try {
        parsed = JSON.parse(raw);
    }
    catch (error) {
        throw new Error(`The saved state "${JOURNAL_STATE}" is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
    }
    if (!Array.isArray(parsed))
        throw new Error(`The saved state "${JOURNAL_STATE}" is not a list of journal entries.`);
    parsed.forEach((entry, index) => {
        const kind = typeof entry === 'object' && entry !== null ? entry.kind : undefined;
        if (typeof kind !== 'string' || !state_KINDS.has(kind)) {
            throw new Error(`The saved state "${JOURNAL_STATE}" has an entry ${index + 1} of unknown kind: ${JSON.stringify(entry)}.`);
        }
    });
    return parsed;
}
/** The run's journal, loaded from saved state (in the post step) and saved again on every record, each entry with its time. */
function createPersistedJournal() {
    let initial;
    try {
        initial = parseJournalState(lib_core/* getState */.Gu(JOURNAL_STATE));
    }
    catch (error) {
        throw new Error(`${error instanceof Error ? error.message : String(error)} The post step cannot tell what the main step changed; ` +
            'look in the main step log for the resources it shared, granted or copied and remove them by hand.', { cause: error });
    }
    return new MemoryJournal(initial, (entries) => lib_core/* saveState */.LZ(JOURNAL_STATE, JSON.stringify(entries)), context_systemClock.now);
}
/** The state name under which the main step saves the GitHub deployment it recorded, for the post step. */
const DEPLOYMENT_STATE = 'deployment';
function saveDeploymentState(state) {
    lib_core/* saveState */.LZ(DEPLOYMENT_STATE, JSON.stringify(state));
}
/** The saved deployment, or undefined when none was recorded (or the state is unreadable: recording never fails a step). */
function readDeploymentState() {
    try {
        const parsed = JSON.parse(core.getState(DEPLOYMENT_STATE) || 'null');
        return typeof parsed?.id === 'number' ? { id: parsed.id, finished: parsed.finished === true } : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/github/deployment-record.ts



const timeout = () => ({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
/** Sets a status of the deployment; the run's page is its log, and after a success also where the promoted AMIs are listed. */
async function setStatus(api, target, id, state, description) {
    const { owner, repo, runUrl } = target;
    const urls = runUrl ? { log_url: runUrl, ...(state === 'success' ? { environment_url: runUrl } : {}) } : {};
    await api.createDeploymentStatus({ owner, repo, deployment_id: id, state, description: clip(description), ...urls, request: timeout() });
}
/**
 * The promotion's deployment. It is created once every promoted AMI has an ID (their copies started, or they were
 * reused), because GitHub cannot change a deployment's payload later; it stays in progress while the copies complete.
 * Each call is tried once; a failure is a warning and never reaches the promotion.
 */
class DeploymentRecord {
    load;
    target;
    source;
    client;
    created;
    constructor(load, target, source) {
        this.load = load;
        this.target = target;
        this.source = source;
    }
    /** Every promoted AMI is known: creates the deployment, in progress, in the background (once). */
    promoted(images) {
        this.created ??= this.create(images);
    }
    /** The main step ended: the deployment, if it exists, gets its final status, and the post step leaves it alone. */
    async finish(state, description) {
        const id = await this.created;
        if (id === undefined)
            return;
        await this.attempt(`setting its status to ${state}`, (api) => setStatus(api, this.target, id, state, description));
        saveDeploymentState({ id, finished: true });
    }
    /** The job was cancelled: a creation in flight ends (or times out) so that the post step finds the deployment to close. */
    async settle() {
        await this.created;
    }
    async create(images) {
        const { owner, repo, sha, environment, runUrl } = this.target;
        const description = clip(`Promote ${this.source.amiId}: ${imageList(images)}`);
        const id = await this.attempt('creating the deployment', async (api) => {
            const { data } = await api.createDeployment({
                owner,
                repo,
                ref: sha,
                environment,
                task: 'deploy:ami',
                // Deploy exactly this commit, whatever its status checks say: the AMI was built and approved from it.
                auto_merge: false,
                required_contexts: [],
                // The promoted AMIs stay after the run; production_environment is left to GitHub (true for "production").
                transient_environment: false,
                description,
                payload: deploymentPayload(this.source, images, runUrl),
                request: timeout(),
            });
            if (typeof data.id !== 'number')
                throw new Error(`no deployment was created (${data.message ?? 'the answer has no ID'})`);
            return data.id;
        });
        if (id === undefined)
            return undefined;
        saveDeploymentState({ id, finished: false });
        lib_core/* info */.pq(`Recorded the promotion as deployment ${id} of ${sha.slice(0, 7)} in environment "${environment}".`);
        await this.attempt('setting its status to in_progress', (api) => setStatus(api, this.target, id, 'in_progress', `Copying: ${imageList(images)}`));
        return id;
    }
    async attempt(what, call) {
        try {
            this.client ??= this.load();
            return await call(await this.client);
        }
        catch (error) {
            lib_core/* warning */.$e(deployment_recordingWarning(this.target.environment, what, error));
            return undefined;
        }
    }
}
/**
 * The post step after a main step that never finished its deployment (cancelled, or stopped): inactive when the cleanup
 * undid the run (GitHub: the deployment is no longer active), error when something could not be undone.
 */
async function deployment_record_finishAfterCancellation(api, target, saved, cleanedUp) {
    const [state, description] = cleanedUp
        ? ['inactive', 'Cancelled: the post step removed the unfinished copies and the temporary sharing.']
        : ['error', 'Cancelled: the post step could not undo everything; see the run log.'];
    try {
        await setStatus(api, target, saved.id, state, description);
        core.info(`Deployment ${saved.id} in environment "${target.environment}" is now ${state}.`);
    }
    catch (error) {
        core.warning(recordingWarning(target.environment, `setting its status to ${state}`, error));
    }
}

;// CONCATENATED MODULE: ./src/github/deployment-step.ts







/** The main step's deployment record; undefined without deployment-environment, in a dry run, or outside a workflow run. */
function openDeploymentRecord(settings, run, request) {
    if (!settings)
        return undefined;
    if (request.dryRun) {
        lib_core/* info */.pq(`Dry run: nothing is recorded in environment "${settings.environment}".`);
        return undefined;
    }
    const target = deployment_deploymentTarget(settings, run);
    return target && new DeploymentRecord(() => deployment_octokitDeploymentApi(settings.token), target, { amiId: request.sourceAmiId, region: request.sourceRegion });
}
/** The run's journal, telling the record when every promoted AMI has its ID. */
function watchForDeployment(record, journal, pre) {
    return record ? watchPromotedImages(journal, pre, (images) => record.promoted(images)) : journal;
}
const firstLine = (error) => (0,errors/* errorMessage */.gJ)(error).split('\n')[0] ?? '';
/** The final status from how the main step ended; after a cancellation the post step sets it, once it has cleaned up. */
async function recordOutcome(record, outcome) {
    if (!record)
        return;
    if (outcome.cancelled)
        return record.settle();
    const { result } = outcome;
    if (!result)
        return record.finish('failure', `Failed: ${firstLine(outcome.error)}`);
    const images = promotedImages(result);
    // A copy that never started (it failed at once) left the others unannounced: they are recorded now.
    if (images.length > 0)
        record.promoted(images);
    const promoted = imageList(images);
    if (result.failures.length > 0)
        return record.finish('failure', `${result.failures.length} copies failed; promoted: ${promoted || 'none'}`);
    if (result.afterCopyFailures.length > 0)
        return record.finish('failure', `Promoted ${promoted}, but ${result.afterCopyFailures.map((f) => f.step).join(', ')} failed`);
    return record.finish('success', `Promoted ${promoted}`);
}
/** The post step: closes a deployment the main step left in progress (cancelled), once cleanup has run. */
async function closeAfterCancellation(saved, cleanedUp) {
    const settings = readDeploymentSettings();
    if (!settings)
        return;
    const target = deploymentTarget(settings, await loadRunContext());
    if (!target)
        return;
    try {
        await finishAfterCancellation(await octokitDeploymentApi(settings.token), target, saved, cleanedUp);
    }
    catch (error) {
        core.warning(recordingWarning(settings.environment, 'closing it after the cancellation', error));
    }
}

;// CONCATENATED MODULE: ./src/promotion-step.ts


















/** ami-id, ami-ids and snapshot-ids describe the first target account; promotions every account and region. */
function setOutputs(result) {
    const regions = result.targets[0]?.regions ?? [];
    lib_core/* setOutput */.uH('ami-id', regions[0]?.imageId ?? '');
    lib_core/* setOutput */.uH('ami-ids', JSON.stringify(Object.fromEntries(regions.map((r) => [r.region, r.imageId]))));
    lib_core/* setOutput */.uH('snapshot-ids', JSON.stringify(Object.fromEntries(regions.map((r) => [r.region, r.snapshotIds]))));
    const promotions = result.targets.map((t) => [t.accountId, Object.fromEntries(t.regions.map((r) => [r.region, { 'ami-id': r.imageId, 'snapshot-ids': r.snapshotIds }]))]);
    lib_core/* setOutput */.uH('promotions', JSON.stringify(Object.fromEntries(promotions)));
    lib_core/* setOutput */.uH('reencrypted-ami-id', result.reencryptedImageId ?? '');
    lib_core/* setOutput */.uH('reused', String(result.reused));
    lib_core/* setOutput */.uH('launch-template-versions', JSON.stringify(launchTemplateVersionsOutput(result.launchTemplates)));
    lib_core/* setOutput */.uH('retired', JSON.stringify(retiredOutput(result.retirement)));
}
/** With role-chaining: who the credentials in the environment are (they assume the roles), for the trust policies. */
async function chainingPrincipal({ request, session }, sessions, source) {
    if (!session.roleChaining)
        return undefined;
    const principal = request.sourceRole ? (await callerIdentity(sessions.environment, request.sourceRegion, 'source')).principalArn : source.identity.principalArn;
    lib_core/* info */.pq(`Role chaining: the roles are assumed with sts:AssumeRole by ${principal}`);
    return principal;
}
/**
 * Who the action is in each account: a role's identity follows from its ARN and the session name (the target roles
 * are assumed already, the source role when the preflight first needs it: a re-run may not); only credentials from
 * the environment are identified with a call. With role-chaining, also the principal the roles are assumed from.
 */
async function openContext(inputs, sessions, signal) {
    const { request } = inputs;
    const sessionName = inputs.session.roleSessionName;
    const source = request.sourceRole
        ? accountOf(sessions.source, assumedIdentity(request.sourceRole, sessionName, 'source'))
        : accountOf(sessions.source, await callerIdentity(sessions.source, request.sourceRegion, 'source'), 'environment');
    const targets = sessions.targets.map(({ spec, clients }) => ({ ...accountOf(clients, assumedIdentity(spec.role, sessionName, 'target')), spec }));
    lib_core/* info */.pq(`Source: account ${source.identity.accountId} as ${source.identity.arn}`);
    for (const { identity } of targets)
        lib_core/* info */.pq(`Target: account ${identity.accountId} as ${identity.arn}`);
    lib_core/* setOutput */.uH('target-account-id', targets[0]?.identity.accountId ?? '');
    const chainedFrom = await chainingPrincipal(inputs, sessions, source);
    const started = context_systemClock.now();
    const ctx = {
        request,
        source,
        targets,
        journal: createPersistedJournal(),
        log: logger_actionsLogger,
        clock: context_systemClock,
        signal,
        started,
        deadline: started + request.waitTimeoutMinutes * 60_000,
    };
    return { ctx, chainedFrom };
}
async function cleanUpAfter(ctx) {
    const accounts = cleanupAccounts(ctx.request, ctx.source, ctx.targets.map((target) => ({ spec: target.spec, clients: target })));
    const report = await lib_core/* group */.Os('Clean up', () => cleanup_cleanUp({ ...accounts, journal: ctx.journal, log: ctx.log, clock: ctx.clock, signal: ctx.signal }));
    summary_addCleanupSummary(report);
    await summary_writeSummary();
    for (const item of report.failed)
        lib_core/* warning */.$e(item.message);
}
/** The error with AWS's authorization message decoded where it carries one. */
async function decoded(ctx, error) {
    return error instanceof errors/* PromotionError */.g1 && ctx ? withDecodedAuthorization(error, ctx, ctx.request.sourceRegion) : error;
}
/** Fails the step naming every copy that failed; the other copies were kept, and a re-run copies only these. */
async function copiesFailed(ctx, failures) {
    const messages = await Promise.all(failures.map(async (f) => (0,errors/* errorMessage */.gJ)(await decoded(ctx, f.error))));
    if (messages.length === 1)
        return lib_core/* setFailed */.C1(messages[0]);
    const list = failures.map((f, i) => `${i + 1}. account ${f.accountId}, ${f.region}: ${messages[i]}`).join('\n\n');
    lib_core/* setFailed */.C1(`${failures.length} of the copies failed; the others succeeded and are kept. Re-run with the same inputs to copy only the missing ones.\n\n${list}`);
}
/** Fails the step naming each account where launch templates or retirement failed; the promoted AMIs stand. */
async function afterCopyFailed(ctx, failures) {
    const messages = await Promise.all(failures.map(async (f) => `${f.step} failed in account ${f.accountId}: ${(0,errors/* errorMessage */.gJ)(await decoded(ctx, f.error))}`));
    lib_core/* setFailed */.C1(`The AMIs are promoted (see the outputs), but ${failures.length} step(s) after the copy failed; a re-run with the same inputs reuses the AMIs and tries them again.\n\n${messages.join('\n\n')}`);
}
/** After a failure: the error with AWS's authorization message decoded, then cleanup unless the job was cancelled. */
async function failed(ctx, caught, cancelled) {
    lib_core/* setFailed */.C1((0,errors/* errorMessage */.gJ)(await decoded(ctx, caught)));
    if (!ctx || cancelled)
        return;
    try {
        await cleanUpAfter(ctx);
    }
    catch (cleanupError) {
        lib_core/* warning */.$e(`Cleanup after the failure did not finish; the post step tries again: ${(0,errors/* errorMessage */.gJ)(cleanupError)}`);
    }
}
/** The policies the promotion to every target account needs, as an output and in the summary. */
function policiesFor(ctx, pre, audience, chainedFrom) {
    const policies = policiesForTargets(ctx, pre, audience, chainedFrom);
    lib_core/* setOutput */.uH('policies', JSON.stringify(policies));
    return policies;
}
/**
 * The main step once the inputs are read and the target roles assumed (main.ts): preflight, then the promotion (or the
 * dry run's report), the summary and cleanup.
 */
async function runPromotion(run, inputs, sessions, controller) {
    let ctx;
    let pre;
    let policies;
    const summarise = async (result) => {
        if (result && ctx) {
            addPromotionSummary(ctx.request, result);
            addAfterCopySummary(ctx.request, result);
        }
        if (pre)
            addPreflightSummary(pre.findings);
        if (policies)
            addPoliciesSummary(policies);
        await summary_writeSummary();
    };
    let result;
    let deployment;
    try {
        deployment = openDeploymentRecord(deployment_inputs_readDeploymentSettings(), run, inputs.request);
        const opened = await openContext(inputs, sessions, controller.signal);
        ctx = opened.ctx;
        pre = await runPreflight(ctx);
        ctx.journal = watchForDeployment(deployment, ctx.journal, pre);
        policies = policiesFor(ctx, pre, inputs.session.audience, opened.chainedFrom);
        if (ctx.request.dryRun) {
            reportDryRun(ctx.request, pre);
            return await summarise();
        }
        result = await promote(ctx, pre);
        setOutputs(result);
        lib_core/* info */.pq(`Promoted ${ctx.request.sourceAmiId} to ${imageList(promotedImages(result))}.`);
    }
    catch (caught) {
        await summarise();
        const cancelled = controller.signal.aborted;
        await Promise.all([failed(ctx, caught, cancelled), recordOutcome(deployment, { error: caught, cancelled })]);
        return;
    }
    await summarise(result);
    if (!result || !ctx)
        return;
    const recorded = recordOutcome(deployment, { result, cancelled: false });
    if (result.failures.length > 0)
        await copiesFailed(ctx, result.failures);
    if (result.afterCopyFailures.length > 0)
        await afterCopyFailed(ctx, result.afterCopyFailures);
    if (ctx.request.cleanup || result.failures.length > 0)
        await cleanUpAfter(ctx);
    else if (ctx.journal.entries().length > 0)
        ctx.journal.record({ kind: 'kept' });
    await recorded;
}


/***/ })

};
