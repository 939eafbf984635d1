export const id = 619;
export const ids = [619];
export const modules = {

/***/ 619:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  cleanUpAfterMain: () => (/* binding */ cleanUpAfterMain)
});

// UNUSED EXPORTS: cleanupAccounts

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 18 modules
var lib_core = __webpack_require__(6257);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var dist_cjs = __webpack_require__(5193);
// EXTERNAL MODULE: ./src/aws/errors.ts
var errors = __webpack_require__(9378);
;// CONCATENATED MODULE: ./src/aws/classify.ts

/**
 * "Does not exist" answers, by kind of resource. EC2: InvalidAMIID.NotFound, InvalidAMIID.Unavailable (deregistered),
 * InvalidSnapshot.NotFound, InvalidLaunchTemplateName.NotFoundException, InvalidLaunchTemplateId.NotFound
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); KMS keys and grants: NotFoundException
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html).
 */
const NOT_FOUND = {
    image: new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']),
    snapshot: new Set(['InvalidSnapshot.NotFound']),
    kms: new Set(['NotFoundException']),
    launchTemplate: new Set(['InvalidLaunchTemplateName.NotFoundException', 'InvalidLaunchTemplateId.NotFound']),
};
/**
 * Error codes by kind. Common errors of EC2 (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html),
 * STS (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html) and KMS
 * (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html); KMSInvalidStateException: the key state does
 * not allow the operation (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
 */
const CODES = [
    ['denied', new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthFailure', 'Forbidden'])],
    ['expired', new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'])],
    ['throttled', new Set(['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException'])],
    ['invalid-credentials', new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'IncompleteSignature', 'MissingAuthenticationToken'])],
    ['not-found', new Set(Object.values(NOT_FOUND).flatMap((codes) => [...codes]))],
    ['key-unusable', new Set(['KMSInvalidStateException'])],
    ['in-use', new Set(['InvalidSnapshot.InUse'])],
];
/**
 * The kind of an AWS error: by its code, else by the SDK's CredentialsProviderError, else by its message (errors
 * without a known code). A PromotionError is already explained: 'other'.
 */
function classify(error) {
    if (error instanceof errors/* PromotionError */.g1)
        return 'other';
    const name = (0,errors/* errorName */.Is)(error);
    const byCode = CODES.find(([, codes]) => codes.has(name));
    if (byCode)
        return byCode[0];
    if (name === 'CredentialsProviderError')
        return 'no-credentials';
    const message = (0,errors/* errorMessage */.gJ)(error);
    if (/not authorized|access ?denied/i.test(message))
        return 'denied';
    if (/credential/i.test(message))
        return 'no-credentials';
    return 'other';
}
function isAccessDenied(error) {
    return classify(error) === 'denied';
}
/** Whether the error says that a resource of this kind does not exist. */
function classify_isNotFound(error, resource) {
    return NOT_FOUND[resource].has((0,errors/* errorName */.Is)(error));
}

;// CONCATENATED MODULE: ./src/aws/images.ts
function copiedFrom(image) {
    return image.SourceImageId ? { imageId: image.SourceImageId, region: image.SourceImageRegion } : undefined;
}
/** The IDs of the EBS snapshots behind an image's block device mappings. */
function snapshotIdsOf(image) {
    return (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}

// EXTERNAL MODULE: ./src/domain/cleanup/manual.ts
var manual = __webpack_require__(905);
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

;// CONCATENATED MODULE: ./src/policy/tag-keys.ts
/**
 * The tags this action writes, known to the policy generator too: its conditions allow removing, un-sharing and
 * retiring only resources that carry them, and creating only resources tagged with them at creation.
 */
/** The prefix of every tag key this action writes. */
const tag_keys_TAG_PREFIX = 'promote-ami:';
/** Tag keys this action writes; their presence is how a later run or cleanup recognises its own resources. */
const TAG = {
    role: `${tag_keys_TAG_PREFIX}role`,
    sourceAmiId: `${tag_keys_TAG_PREFIX}source-ami-id`,
    sourceAccount: `${tag_keys_TAG_PREFIX}source-account`,
    sourceRegion: `${tag_keys_TAG_PREFIX}source-region`,
    kmsKey: `${tag_keys_TAG_PREFIX}kms-key`,
    repository: `${tag_keys_TAG_PREFIX}repository`,
    commit: `${tag_keys_TAG_PREFIX}commit`,
    runUrl: `${tag_keys_TAG_PREFIX}run-url`,
    lineage: `${tag_keys_TAG_PREFIX}lineage`,
};
/**
 * Key prefixes of the marks runs put on a shared intermediate copy, each followed by the run's lease holder
 * (src/domain/steps/lease.ts) and valid until its value, an ISO time: a lease says a run relies on the copy; a going
 * mark says a run's cleanup is about to deregister it.
 */
const tag_keys_MARK = {
    lease: `${tag_keys_TAG_PREFIX}lease:`,
    going: `${tag_keys_TAG_PREFIX}going:`,
};
/** The value of TAG.role on the intermediate copy in the source account and on the promoted AMIs, snapshots included. */
const ROLE_INTERMEDIATE = 'intermediate';
const ROLE_PROMOTED = 'promoted';

;// CONCATENATED MODULE: ./src/domain/tags.ts


/**
 * EC2's tag limits per resource (images and snapshots alike): 50 user tags (keys starting with aws: do not count),
 * keys up to 128 and values up to 256 Unicode characters; EC2 allows any Unicode character in tags.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions
 * (The API reference's Tag type says 127 for keys, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html;
 * the user guide's 128 is used so that nothing AWS accepts is refused.)
 */
const TAG_LIMITS = { perResource: 50, keyLength: 128, valueLength: 256 };
/** Length as AWS counts it: Unicode characters (code points), so an emoji is one character, not two UTF-16 units. */
function characterCount(text) {
    return [...text].length;
}
function tagValue(tags, key) {
    return tags?.find((tag) => tag.Key === key)?.Value;
}
/** Later tags replace earlier ones with the same key; AWS reserves the aws: prefix. */
function mergeTags(...lists) {
    const merged = new Map();
    for (const list of lists) {
        for (const tag of list) {
            if (!tag.Key || tag.Key.toLowerCase().startsWith('aws:'))
                continue;
            merged.delete(tag.Key);
            merged.set(tag.Key, tag.Value ?? '');
        }
    }
    return [...merged].map(([Key, Value]) => ({ Key, Value }));
}
/** A resource's own tags, without this action's provenance tags (a new promotion writes its own). */
function userTags(tags) {
    return (tags ?? []).flatMap((t) => (t.Key && !t.Key.startsWith(TAG_PREFIX) ? [{ Key: t.Key, Value: t.Value ?? '' }] : []));
}

;// CONCATENATED MODULE: ./src/domain/cleanup/images.ts







/** The copy as DescribeImages shows it, or Gone (looked for again while it may be too new to be shown). */
async function findImage(run, copy) {
    const { side, region, imageId, ec2 } = copy;
    const call = { what: `Describing ${imageId}`, side, region, actions: ['ec2:DescribeImages'], manual: manual/* manual */.j.deregister(region, imageId) };
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
        manual: manual/* manual */.j.deregister(region, imageId),
    };
    return run.untilFound(call, run.sought(imageId, copy.label), async () => {
        try {
            return await ec2.send(new dist_cjs/* DeregisterImageCommand */.x2c({ ImageId: imageId, DeleteAssociatedSnapshots: true }));
        }
        catch (error) {
            if (classify_isNotFound(error, 'image'))
                return Gone.instance;
            const protectedImage = /deregistration protection/i.test((0,errors/* errorMessage */.gJ)(error)) || /^enabled/i.test(image.DeregistrationProtection ?? '');
            if (!protectedImage || isAccessDenied(error))
                throw run.problem(call, error);
            throw new errors/* PromotionError */.g1({
                what: call.what,
                side,
                accountId: run.side(side).accountId,
                region,
                why: `deregistration protection is on for ${imageId} (${(0,errors/* errorName */.Is)(error) || 'error'}: ${(0,errors/* errorMessage */.gJ)(error)}).`,
                fix: `Turn it off, then deregister the AMI and delete its snapshots with ${side} account credentials: ${manual/* manual */.j.disableProtection(region, imageId)}; ` +
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
        const call = { what: `Describing snapshot ${id}`, side, region, actions: ['ec2:DescribeSnapshots'], manual: manual/* manual */.j.deleteSnapshot(region, id) };
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
            `then ${manual/* manual */.j.deleteSnapshot(region, 'SNAPSHOT_ID')} for each`,
    };
    const found = await run.untilFound(call, run.sought(`snapshots of ${imageId}`, `any snapshot of ${imageId}`, imageId), async () => {
        const list = [];
        let token;
        do {
            const response = await run.send(call, () => ec2.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({
                OwnerIds: ['self'],
                Filters: [
                    { Name: `tag:${TAG.role}`, Values: [copy.role] },
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
        const result = await run.send({ what: `Deleting ${what}`, side, region, actions: ['ec2:DeleteSnapshot'], manual: manual/* manual */.j.deleteSnapshot(region, snapshotId) }, () => ec2.send(new dist_cjs/* DeleteSnapshotCommand */.tZN({ SnapshotId: snapshotId })), 'snapshot');
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
        if (tagValue(snapshot.Tags, TAG.role) !== copy.role) {
            run.kept(run.item(what, copy.side, copy.region), `it does not carry the tag ${TAG.role}=${copy.role}.`);
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
    const copy = { side: 'target', region, imageId, label: `unfinished copy ${imageId}`, ec2, role: ROLE_PROMOTED };
    const item = run.item(copy.label, 'target', region);
    let ids = knownSnapshotIds.length > 0 ? [...knownSnapshotIds] : undefined;
    try {
        const image = await findImage(run, copy);
        if (image instanceof Gone) {
            run.removed(item, image);
        }
        else {
            if (tagValue(image.Tags, TAG.role) !== ROLE_PROMOTED) {
                run.kept(item, `it does not carry the tag ${TAG.role}=${ROLE_PROMOTED}, so it is not treated as this action's copy and is left alone.`);
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
    const copy = { side: 'target', region, imageId: sourceSnapshotId, label: `copy of ${sourceSnapshotId}`, ec2, role: ROLE_PROMOTED };
    await removeSnapshots(run, copy, [snapshotId]);
}

;// CONCATENATED MODULE: ./src/aws/explain.ts


const RETRY_FRESH = 'Re-run the job to retry with fresh credentials.';
function identityStatement(action, resource = '*') {
    return JSON.stringify({ Effect: 'Allow', Action: action, Resource: resource }, null, 2);
}
/** The fix for calls the IAM policy of `principal` does not allow. */
function identityPolicyFix(principal, action, resource) {
    return `Add this statement to the IAM policy of ${principal}:\n${identityStatement(action, resource)}`;
}
/**
 * No principal may use a KMS key unless its key policy allows it, for the principal itself or by enabling IAM policies
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
 */
function keyPolicyNote(site, who) {
    if (![site.action].flat().some((action) => action.startsWith('kms:')))
        return '';
    const key = site.resource && site.resource !== '*' ? site.resource : 'the key';
    return `\nThe key policy of ${key} must allow it too: for ${who} itself, or for the IAM policies of its account (as the default key policy does).`;
}
function deniedReason(error, site) {
    const who = site.principal ?? `the ${site.side} credentials`;
    const on = site.resource && site.resource !== '*' ? ` on ${site.resource}` : '';
    return {
        why: `${who} may not call ${[site.action].flat().join(' and ')}${on} (${(0,errors/* errorName */.Is)(error) || 'error'}: ${(0,errors/* errorMessage */.gJ)(error)}).`,
        fix: identityPolicyFix(who, site.action, site.resource) + keyPolicyNote(site, who),
    };
}
function credentialsReason(kind, error, site) {
    const { side, credentials } = site;
    const environment = credentials === 'environment';
    if (kind === 'expired') {
        const fixes = {
            assumed: RETRY_FRESH,
            environment: `Credentials from an earlier configure-aws-credentials step cannot be renewed here: set ${side}-role-arn instead, so that the action assumes the ${side} role with the job's OIDC token and renews them, and re-run the job.`,
            unknown: `${RETRY_FRESH} If the ${side} credentials come from an earlier configure-aws-credentials step, set ${side}-role-arn instead so they are renewed.`,
        };
        return { why: `the ${side} credentials expired (${(0,errors/* errorName */.Is)(error)}).`, fix: fixes[credentials ?? 'unknown'] };
    }
    if (kind === 'invalid-credentials') {
        return {
            why: `AWS refused the ${side} credentials${environment ? ' from the environment' : ''} (${(0,errors/* errorName */.Is)(error)}: ${(0,errors/* errorMessage */.gJ)(error)}).`,
            fix: credentials === 'assumed'
                ? RETRY_FRESH
                : `Check the credentials an earlier step put in the environment (for example aws-actions/configure-aws-credentials), or set ${side}-role-arn to a role the action assumes with the job's OIDC token.`,
        };
    }
    return {
        why: `no ${side} credentials were found${environment ? ' in the environment' : ''} (${(0,errors/* errorMessage */.gJ)(error)}).`,
        fix: credentials === 'assumed'
            ? `Check ${side}-role-arn and that the job has the permission id-token: write.`
            : `Set ${side}-role-arn to a role in the ${side} account that trusts this repository, or run aws-actions/configure-aws-credentials before this step and leave its credentials in the environment until the job ends.`,
    };
}
/** Why an AWS error of this kind probably happened, and the fix: the one wording of every layer. */
function reason(kind, error, site) {
    const detail = `${(0,errors/* errorName */.Is)(error) || 'error'}: ${(0,errors/* errorMessage */.gJ)(error)}`;
    switch (kind) {
        case 'denied':
            return deniedReason(error, site);
        case 'expired':
        case 'invalid-credentials':
        case 'no-credentials':
            return credentialsReason(kind, error, site);
        case 'throttled':
            return {
                why: `AWS kept throttling the requests after every retry (${(0,errors/* errorName */.Is)(error)}).`,
                fix: 'Re-run the job when the account is less busy, or raise AWS_MAX_ATTEMPTS in the job environment.',
            };
        case 'key-unusable':
            return {
                why: `the state of the KMS key${site.resource && site.resource !== '*' ? ` ${site.resource}` : ''} does not allow this call, for example because it is disabled or pending deletion (${detail}).`,
                fix: 'Enable the key (or cancel its deletion), then re-run the job.',
            };
        case 'in-use':
            return { why: `the snapshot is still used by an AMI (${detail}).`, fix: 'Deregister the AMI that uses it, then delete the snapshot.' };
        default:
            return { why: detail, fix: 'See the AWS message above; re-run the job if the error was transient.' };
    }
}
/**
 * Turns an AWS SDK error into a PromotionError that says what failed, where, why, and the fix. `extra` is appended to
 * the fix (cleanup: the CLI command that does the same by hand). An error already explained (a PromotionError, e.g.
 * the session could not be had) passes through; with an `extra` it is told for this call, with the extra appended.
 */
function explainAwsError(error, site, extra) {
    const place = { what: site.what, side: site.side, accountId: site.accountId, region: site.region };
    const withExtra = (fix) => (extra ? `${fix}\n${extra}` : fix);
    if (error instanceof errors/* PromotionError */.g1) {
        return extra ? new errors/* PromotionError */.g1({ ...place, why: error.details.why, fix: withExtra(error.details.fix), cause: error }) : error;
    }
    const { why, fix } = reason(classify(error), error, site);
    return new errors/* PromotionError */.g1({ ...place, why, fix: withExtra(fix), cause: error });
}
/** Runs one AWS call and explains its failure. */
async function explain_call(site, fn, extra) {
    try {
        return await fn();
    }
    catch (error) {
        throw explainAwsError(error, site, extra);
    }
}

// EXTERNAL MODULE: ./src/domain/context.ts
var context = __webpack_require__(7723);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/domain/tokens.ts

/** A deterministic idempotency token (CopyImage ClientToken: at most 64 ASCII characters). */
function clientToken(...parts) {
    return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 64);
}
function tokens_shortHash(...parts) {
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
    return { Key: `${MARK.lease}${holderOf(ctx)}`, Value: new Date(ctx.deadline + LEASE_TIMING.afterDeadlineMs).toISOString() };
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
    const response = await call({ ...siteOf(ctx.source, region), what: `Describing the intermediate copy ${imageId}`, action: 'ec2:DescribeImages' }, () => ctx.source
        .ec2(region)
        .send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal: ctx.signal })
        .catch((error) => {
        if (isNotFound(error, 'image'))
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
    const sent = await call(site, () => ctx.source
        .ec2(region)
        .send(new CreateTagsCommand({ Resources: [imageId], Tags: [tag] }), { abortSignal: ctx.signal })
        .then(() => true)
        .catch((error) => {
        if (isNotFound(error, 'image'))
            return false;
        if (errorName(error) !== 'TagLimitExceeded')
            throw error;
        throw new PromotionError({
            ...site,
            why: `${imageId} already has 50 tags: its own, the source AMI's (copy-tags) and one lease per run that uses it (${errorName(error)}).`,
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
        const going = activeMarks(image?.Tags, MARK.going, ctx.clock.now());
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
        const cause = error instanceof PromotionError ? error.details.cause : error;
        if (!isNotFound(cause, 'image'))
            throw error;
        throw new PromotionError({
            ...siteOf(ctx.source, ctx.request.sourceRegion),
            what,
            why: `the intermediate copy ${imageId} is gone (${errorName(cause)}): most probably the cleanup of another run promoting the same AMI ` +
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
        manual: manual/* manual */.j.deregister(region, imageId),
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
    return { image: shown, permissions, leases: activeMarks(shown.Tags, tag_keys_MARK.lease, run.ctx.clock.now(), new Set(ours.leases)) };
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
        manual: change === 'create' ? manual/* manual */.j.deregister(region, imageId) : manual/* manual */.j.deleteTag(region, imageId, tag.Key),
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
    if (tagValue(users.image.Tags, TAG.role) !== ROLE_INTERMEDIATE || tagValue(users.image.Tags, TAG.sourceAmiId) === undefined) {
        return { kept: `it does not carry the tags ${TAG.role}=${ROLE_INTERMEDIATE} and ${TAG.sourceAmiId}, so it is not treated as this action's copy and is left alone.` };
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
    const holder = ours.leases[0]?.slice(tag_keys_MARK.lease.length) ?? 'cleanup';
    const going = { Key: `${tag_keys_MARK.going}${holder}`, Value: new Date(run.ctx.clock.now() + LEASE_TIMING.goingMs).toISOString() };
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
    const copy = { side: 'source', region, imageId, label: `intermediate copy ${imageId}`, ec2, role: ROLE_INTERMEDIATE };
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

// EXTERNAL MODULE: ./src/domain/cleanup/journal-view.ts
var journal_view = __webpack_require__(5300);
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
            return explainAwsError(error, this.site(call), this.byHand(call));
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
                if (gone && classify_isNotFound(error, gone))
                    return Gone.instance;
                throw error;
            }
        };
        return explain_call(this.site(call), attempt, this.byHand(call));
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
            manual: accountIds.map((id) => (image ? manual/* manual */.j.launchPermission(region, resourceId, id) : manual/* manual */.j.volumePermission(region, resourceId, id))).join('; '),
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
        if (classify_isNotFound(error, 'kms'))
            return Gone.instance;
        if (!isAccessDenied(error))
            throw run.problem(retiring, error);
    }
    run.ctx.log.info(`Retiring grant ${grantId} was refused; revoking it instead (source, ${region})`);
    return run.send({
        what: `Revoking the grant ${grantName} (${grantId}) on ${keyArn} (retiring it was refused too)`,
        side: 'source',
        region,
        actions: ['kms:RevokeGrant'],
        resource: keyArn,
        manual: manual/* manual */.j.revokeGrant(region, keyArn, grantId),
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
        manual: manual/* manual */.j.retireGrant(region, keyArn, grantId),
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
async function cleanUp(ctx) {
    const entries = ctx.journal.entries();
    const nothing = (0,journal_view/* nothingToUndo */.Lz)(entries);
    if (nothing) {
        ctx.log.info(`Nothing to clean up: ${nothing}`);
        return { nothingToDo: nothing, removed: [], kept: [], failed: [] };
    }
    const todo = (0,journal_view/* pending */.Ub)(entries);
    const run = new CleanupRun(ctx, creationTimes(entries));
    const undone = Promise.all([unfinishedCopies(run, todo), sharing(run, todo), grants(run, todo)]);
    await intermediateCopies(run, todo, undone);
    keptOnPurpose(run, todo);
    if (run.report.failed.length === 0)
        ctx.journal.record({ kind: 'cleaned' });
    return run.report;
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var client_sts_dist_cjs = __webpack_require__(1695);
;// CONCATENATED MODULE: ./src/version.ts
const ACTION_NAME = 'promote-encrypted-ami';
const ACTION_VERSION = '1.0.0';

;// CONCATENATED MODULE: ./src/aws/clients.ts




const DEFAULT_MAX_ATTEMPTS = 8;
function proxyAwareHandler(env) {
    const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
    if (!proxied)
        return undefined;
    // Node's own agents read HTTP(S)_PROXY and NO_PROXY when given proxyEnv.
    return {
        httpAgent: new external_node_http_.Agent({ keepAlive: true, proxyEnv: env }),
        httpsAgent: new external_node_https_.Agent({ keepAlive: true, proxyEnv: env }),
    };
}
/**
 * Shared settings of every client. Endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), retry mode
 * and AWS_MAX_ATTEMPTS come from the SDK's own environment handling.
 */
function clientConfig(region, settings, env = process.env) {
    const requestHandler = proxyAwareHandler(env);
    return {
        region,
        credentials: settings.credentials,
        customUserAgent: [[ACTION_NAME, ACTION_VERSION]],
        ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: DEFAULT_MAX_ATTEMPTS }),
        ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'standard' }),
        ...(requestHandler ? { requestHandler } : {}),
    };
}
let services;
/**
 * Loads the EC2, KMS, SSM and IAM clients, most of the action's code: the steps call it after their first requests
 * (the OIDC token, the roles assumed with STS), and before they make any of these clients.
 */
async function loadServiceClients() {
    services ??= await Promise.all(/* import() */[__webpack_require__.e(453), __webpack_require__.e(771)]).then(__webpack_require__.bind(__webpack_require__, 5771));
}
function loaded() {
    if (!services)
        throw new Error('An EC2, KMS, SSM or IAM client was made before loadServiceClients() resolved.');
    return services;
}
function createAccountClients(settings) {
    const cache = new Map();
    function cached(kind, region, make) {
        const key = `${kind}:${region}`;
        if (!cache.has(key))
            cache.set(key, make());
        return cache.get(key);
    }
    return {
        ec2: (region) => cached('ec2', region, () => new (loaded().EC2Client)(clientConfig(region, settings))),
        kms: (region) => cached('kms', region, () => new (loaded().KMSClient)(clientConfig(region, settings))),
        ssm: (region) => cached('ssm', region, () => new (loaded().SSMClient)(clientConfig(region, settings))),
        sts: (region) => cached('sts', region, () => new client_sts_dist_cjs/* STSClient */.iM(clientConfig(region, settings))),
        iam: (region) => cached('iam', region, () => new (loaded().IAMClient)(clientConfig(region, settings))),
        connect: async () => {
            await settings.credentials?.();
        },
    };
}

;// CONCATENATED MODULE: ./src/aws/arn.ts
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
function isRegion(value) {
    return REGION.test(value);
}
function isAccountId(value) {
    return ACCOUNT.test(value);
}
function isAwsManagedAlias(aliasName) {
    return aliasName.toLowerCase().startsWith('alias/aws/');
}
/** Parses a KMS key or alias ARN; returns a reason string when the value is not one. */
function parseKmsArn(value) {
    const parts = value.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn') {
        return 'it is not an ARN (expected arn:aws:kms:REGION:ACCOUNT:key/KEY-ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME)';
    }
    const [, partition, service, region, accountId, resource] = parts;
    if (!PARTITIONS.includes(partition))
        return `"${partition}" is not an AWS partition`;
    if (service !== 'kms')
        return `it names the service "${service}", not kms`;
    if (!isRegion(region))
        return `"${region}" is not a region name`;
    if (!isAccountId(accountId))
        return `the account "${accountId}" is not 12 digits`;
    if (resource.startsWith('key/')) {
        const id = resource.slice(4);
        if (!KEY_ID.test(id))
            return `"${id}" is not a KMS key id (a UUID, or mrk- and 32 hex digits)`;
        return { arn: value, partition, region, accountId, kind: 'key', id };
    }
    if (resource.startsWith('alias/')) {
        if (!ALIAS_NAME.test(resource))
            return `"${resource}" is not a valid alias name`;
        return { arn: value, partition, region, accountId, kind: 'alias', id: resource };
    }
    return `the resource "${resource}" is neither key/KEY-ID nor alias/NAME`;
}
function isAliasName(value) {
    return ALIAS_NAME.test(value);
}
/** Parses an IAM role ARN; returns a reason string when the value is not one. */
function parseRoleArn(value) {
    const parts = value.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn') {
        return 'it is not an ARN (expected arn:aws:iam::ACCOUNT:role/NAME)';
    }
    const [, partition, service, region, accountId, resource] = parts;
    if (!PARTITIONS.includes(partition))
        return `"${partition}" is not an AWS partition`;
    if (service !== 'iam')
        return `it names the service "${service}", not iam`;
    if (region !== '')
        return 'IAM ARNs have an empty region field (arn:aws:iam::ACCOUNT:role/NAME)';
    if (!isAccountId(accountId))
        return `the account "${accountId}" is not 12 digits`;
    if (!resource.startsWith('role/'))
        return `the resource "${resource}" is not role/NAME`;
    const segments = resource.slice(5).split('/');
    const name = segments.pop() ?? '';
    if (!ROLE_NAME.test(name))
        return `"${name}" is not a valid role name (1-64 of letters, digits and +=,.@_-)`;
    return { arn: value, partition, accountId, name };
}
/**
 * The role ARN behind an assumed-role session ARN, for policies and messages (a session ARN leaves out the role's path:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns); other ARNs as they are.
 */
function principalOf(callerArn) {
    const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
    if (!match)
        return callerArn;
    return `arn:${match[1]}:iam::${match[2]}:role/${match[3]}`;
}
function kmsKeyArn(partition, region, accountId, keyId) {
    return `arn:${partition}:kms:${region}:${accountId}:key/${keyId}`;
}
function arn_accountRootArn(partition, accountId) {
    return `arn:${partition}:iam::${accountId}:root`;
}
/** A parameter's ARN: its name without the leading slash of a hierarchical name. */
function ssmParameterArn(partition, region, accountId, name) {
    return `arn:${partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}
/** The launch-template resource type of EC2 (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html). */
function launchTemplateArn(partition, region, accountId, templateId) {
    return `arn:${partition}:ec2:${region}:${accountId}:launch-template/${templateId}`;
}
/**
 * The image and snapshot resource types of EC2: no account in the ARN (arn:PARTITION:ec2:REGION::image/ID).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies
 */
function imageArn(partition, region, imageId) {
    return `arn:${partition}:ec2:${region}::image/${imageId}`;
}
function snapshotArn(partition, region, snapshotId) {
    return `arn:${partition}:ec2:${region}::snapshot/${snapshotId}`;
}

;// CONCATENATED MODULE: ./src/github/input-values.ts


class InputError extends Error {
    input;
    constructor(input, message) {
        super(`Input ${input}: ${message}`);
        this.input = input;
        this.name = 'InputError';
    }
}
function inputError(at, message) {
    return typeof at === 'string' ? new InputError(at, message) : new InputError(at.input, `${at.part} ${message}`);
}
function optional(name) {
    const value = lib_core/* getInput */.V4(name);
    return value === '' ? undefined : value;
}
function required(name) {
    const value = lib_core/* getInput */.V4(name);
    if (value === '')
        throw new InputError(name, 'is required and was empty.');
    return value;
}
function parseKmsKeyArn(at, value) {
    const parsed = parseKmsArn(value);
    if (typeof parsed === 'string') {
        throw inputError(at, `"${value}" is not a KMS key ARN or alias ARN: ${parsed}.`);
    }
    if (parsed.kind === 'alias' && isAwsManagedAlias(parsed.id)) {
        throw inputError(at, `"${value}" names an AWS-managed key (${parsed.id}). Snapshots under an AWS-managed key cannot be shared with another account; ` +
            'create a customer-managed symmetric key in the source account and pass its ARN.');
    }
    return parsed;
}
function parseRole(at, value) {
    const parsed = parseRoleArn(value);
    if (typeof parsed === 'string') {
        throw inputError(at, `"${value}" is not an IAM role ARN: ${parsed}.`);
    }
    return parsed;
}
/** Checks region names: each a region, none twice; `spaced` says how to write an item that holds several regions. */
function checkRegions(at, regions, spaced) {
    if (regions.length === 0)
        throw inputError(at, 'lists no region; give one or more region names such as eu-west-1.');
    const seen = new Set();
    for (const region of regions) {
        const words = region.split(/\s+/);
        if (words.length > 1 && words.every(isRegion))
            throw inputError(at, spaced(words, region));
        if (!isRegion(region))
            throw inputError(at, `"${region}" is not a region name (for example eu-west-1).`);
        if (seen.has(region))
            throw inputError(at, `lists "${region}" twice.`);
        seen.add(region);
    }
    return regions;
}
function parseRegionList(name, raw) {
    const regions = raw
        .split(/[,\n]/)
        .map((r) => r.trim())
        .filter((r) => r !== '');
    return checkRegions(name, regions, (words, item) => `separate regions with commas or new lines, not spaces: "${words.join(', ')}" instead of "${item}".`);
}
/** The key of a target's copies; `regionsName` names where its regions were given, for the fix of a key in another region. */
function parseTargetKey(at, raw, targetAccountId, regions, regionsName) {
    if (raw === undefined)
        return { kind: 'default' };
    if (raw.startsWith('arn:')) {
        const key = parseKmsKeyArn(at, raw);
        if (key.accountId !== targetAccountId) {
            throw inputError(at, `"${raw}" is in account ${key.accountId}, but the target role is in account ${targetAccountId}. ` +
                "The final copy must use a key of the target account so that the source can't revoke it.");
        }
        if (regions.length !== 1 || regions[0] !== key.region) {
            throw inputError(at, `"${raw}" is a key in ${key.region} and keys are regional, but ${regionsName} is ${regions.join(', ')}. ` +
                `Set ${regionsName} to that one region, or pass an alias name such as alias/golden-ami that exists in every target region.`);
        }
        return { kind: 'arn', key };
    }
    if (!isAliasName(raw)) {
        throw inputError(at, `"${raw}" is neither a key ARN nor an alias name such as alias/golden-ami.`);
    }
    return { kind: 'alias', aliasName: raw };
}
function bool(name, fallback) {
    if (lib_core/* getInput */.V4(name) === '')
        return fallback;
    try {
        return lib_core/* getBooleanInput */.Vt(name);
    }
    catch {
        throw new InputError(name, `must be true or false (got "${lib_core/* getInput */.V4(name)}").`);
    }
}
function integer(name, min, max, fallback, step = 1) {
    const raw = optional(name);
    if (raw === undefined)
        return fallback;
    if (!/^\d+$/.test(raw))
        throw new InputError(name, `must be a whole number from ${min} to ${max} (got "${raw}").`);
    const value = Number(raw);
    if (value < min || value > max)
        throw new InputError(name, `must be from ${min} to ${max} (got ${value}).`);
    if (value % step !== 0)
        throw new InputError(name, `must be a multiple of ${step} (got ${value}).`);
    return value;
}
function oneOf(name, modes, fallback) {
    const value = lib_core/* getInput */.V4(name) || fallback;
    if (!modes.includes(value))
        throw new InputError(name, `must be one of ${modes.join(', ')} (got "${value}").`);
    return value;
}
/** The non-blank lines of a multi-line input, trimmed, each with its line number (from 1) for messages. */
function nonEmptyLines(raw) {
    return raw
        .split('\n')
        .map((line, i) => ({ text: line.trim(), number: i + 1 }))
        .filter((line) => line.text !== '');
}

;// CONCATENATED MODULE: ./src/github/after-copy-inputs.ts



const RETIRE_MODES = ['none', 'deprecate', 'disable', 'deregister'];
/**
 * A launch template ID, or a name as CreateLaunchTemplate accepts it: 3 to 128 of letters, digits and ( ) . - / _.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html
 */
const TEMPLATE_ID = /^lt-[0-9a-f]{17}$/;
const TEMPLATE_NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;
/** launch-template: names or IDs, one per line, none twice. */
function parseLaunchTemplates(name, raw) {
    const templates = [];
    for (const { text, number } of nonEmptyLines(raw)) {
        const where = `line ${number} ("${text}")`;
        if (!TEMPLATE_ID.test(text) && (text.startsWith('lt-') || !TEMPLATE_NAME.test(text))) {
            throw new InputError(name, `${where} is neither a launch template ID (lt- and 17 hexadecimal digits) nor a name (3 to 128 letters, digits and ( ) . - / _).`);
        }
        if (templates.includes(text))
            throw new InputError(name, `${where} is listed twice.`);
        templates.push(text);
    }
    return templates;
}
/** lineage: the value of a tag, so at most 256 characters; the repository when not given. */
function readLineage(repository) {
    const lineage = optional('lineage') ?? repository;
    if (lineage !== undefined && characterCount(lineage) > TAG_LIMITS.valueLength) {
        throw new InputError('lineage', `is ${characterCount(lineage)} characters long; it is a tag value, so at most ${TAG_LIMITS.valueLength}.`);
    }
    return lineage;
}
/** The inputs of what follows the copy: launch templates, the lineage and the retirement of earlier promotions. */
function readAfterCopy(repository) {
    const launchTemplates = parseLaunchTemplates('launch-template', lib_core/* getInput */.V4('launch-template'));
    const launchTemplateDefault = bool('launch-template-default', false);
    if (launchTemplateDefault && launchTemplates.length === 0) {
        throw new InputError('launch-template-default', 'is true, but launch-template names no template: list the templates whose new version becomes the default.');
    }
    const lineage = readLineage(repository);
    const mode = oneOf('retire-previous', RETIRE_MODES, 'none');
    if (mode !== 'none' && lineage === undefined) {
        throw new InputError('lineage', `is needed with retire-previous: ${mode} (there is no repository to default to): name the image family, e.g. lineage: web-server.`);
    }
    return {
        launchTemplates,
        launchTemplateDefault,
        lineage,
        retire: {
            mode,
            keepPrevious: integer('keep-previous', 0, 1000, 2),
            keepIfLaunchedWithinDays: integer('keep-if-launched-within-days', 0, 3650, 30),
        },
    };
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./src/github/target-inputs.ts




const ENTRY_FIELDS = ['role-arn', 'regions', 'kms-key'];
const shown = (value) => (value === null || value === undefined ? 'nothing' : JSON.stringify(value));
/** The target accounts from target-role-arn (one role per line) or from targets (YAML entries); exactly one of them. */
function readTargets(defaults) {
    const roles = optional('target-role-arn');
    // Untrimmed: trimming would take away the indentation of the first line only.
    const entriesRaw = lib_core/* getInput */.V4('targets', { trimWhitespace: false });
    const entries = entriesRaw.trim() === '' ? undefined : entriesRaw;
    if (roles !== undefined && entries !== undefined) {
        throw new InputError('targets', 'is given together with target-role-arn: give target-role-arn (one role ARN per line; every account gets target-regions and target-kms-key) ' +
            'or targets (each account with its own regions and key), not both.');
    }
    if (entries !== undefined)
        return distinctAccounts(entriesOf(entries).map((entry, i) => targetOfEntry(entry, i + 1, defaults)), defaults.partition);
    if (roles === undefined) {
        throw new InputError('target-role-arn', 'is required and was empty, and so was targets: give the role ARN of each target account, one per line, or targets.');
    }
    return distinctAccounts(targetsOfRoleLines(roles, defaults), defaults.partition);
}
/** One target per line of target-role-arn, each with target-regions and target-kms-key. */
function targetsOfRoleLines(raw, defaults) {
    const lines = nonEmptyLines(raw).map(({ text, number }) => ({ text, place: `line ${number}` }));
    const keyRaw = optional('target-kms-key');
    if (lines.length > 1 && keyRaw?.startsWith('arn:')) {
        throw new InputError('target-kms-key', `"${keyRaw}" is a key ARN, which names one account, but target-role-arn names ${lines.length} accounts. ` +
            'Pass an alias name such as alias/golden-ami that exists in every target account and region, or give each account its key with targets.');
    }
    return lines.map(({ text, place }) => {
        const at = lines.length === 1 ? 'target-role-arn' : { input: 'target-role-arn', part: `${place}:` };
        const values = text.split(/[\s,]+/);
        if (values.length > 1 && values.every((v) => v.startsWith('arn:')))
            throw inputError(at, `"${text}" holds ${values.length} ARNs: give one role ARN per line.`);
        const role = parseRole(at, text);
        return { spec: { role, regions: defaults.regions, key: parseTargetKey('target-kms-key', keyRaw, role.accountId, defaults.regions, 'target-regions') }, at, place };
    });
}
/** The entries of the targets input: a YAML (or JSON) list. */
function entriesOf(raw) {
    let value;
    try {
        value = (0,dist/* parse */.qg)(raw);
    }
    catch (error) {
        throw new InputError('targets', `is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!Array.isArray(value)) {
        const got = value !== null && typeof value === 'object' ? 'a mapping: start each entry with "- "' : shown(value);
        throw new InputError('targets', `must be a list of entries, one per target account, each with role-arn and optionally regions and kms-key (got ${got}).`);
    }
    if (value.length === 0)
        throw new InputError('targets', 'lists no target account; give one entry with role-arn per target account.');
    return value;
}
/** One entry of targets: role-arn, and regions and kms-key, which default to target-regions and target-kms-key. */
function targetOfEntry(entry, n, defaults) {
    const field = (name) => ({ input: 'targets', part: `entry ${n}: ${name}` });
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw new InputError('targets', `entry ${n} must be a mapping with role-arn and optionally regions and kms-key (got ${shown(entry)}).`);
    }
    const fields = entry;
    const unknown = Object.keys(fields).filter((name) => !ENTRY_FIELDS.includes(name));
    if (unknown.length > 0) {
        throw new InputError('targets', `entry ${n}: unknown field ${unknown.map((name) => `"${name}"`).join(', ')}; the fields are ${ENTRY_FIELDS.join(', ')}.`);
    }
    const roleArn = fields['role-arn'];
    if (roleArn === undefined)
        throw new InputError('targets', `entry ${n}: role-arn is required: the IAM role to assume in that target account.`);
    if (typeof roleArn !== 'string')
        throw inputError(field('role-arn'), `must be an IAM role ARN (got ${shown(roleArn)}).`);
    const role = parseRole(field('role-arn'), roleArn);
    const regions = 'regions' in fields ? entryRegions(field('regions'), fields.regions) : defaults.regions;
    const keyRaw = 'kms-key' in fields ? fields['kms-key'] : optional('target-kms-key');
    const keyAt = field('kms-key' in fields ? 'kms-key' : 'kms-key (from target-kms-key)');
    if (keyRaw !== undefined && typeof keyRaw !== 'string') {
        throw inputError(keyAt, `must be a key ARN or an alias name such as alias/golden-ami (got ${shown(keyRaw)}).`);
    }
    const key = parseTargetKey(keyAt, keyRaw, role.accountId, regions, 'regions');
    return { spec: { role, regions, key }, at: field('role-arn'), place: `entry ${n}` };
}
function entryRegions(at, value) {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        const words = typeof value === 'string' ? value.split(/[\s,]+/).filter((word) => word !== '') : [];
        const fix = words.length > 0 && words.every(isRegion) ? `: write regions: [${words.join(', ')}]` : '';
        throw inputError(at, `must be a list of region names (got ${shown(value)})${fix}.`);
    }
    const regions = value.map((item) => item.trim());
    return checkRegions(at, regions, (words, item) => `has "${item}" as one item: write each region as its own item: [${words.join(', ')}].`);
}
/** Every role in the partition of the source key, and each target account once. */
function distinctAccounts(targets, partition) {
    const places = new Map();
    for (const { spec, at, place } of targets) {
        const { role } = spec;
        if (role.partition !== partition) {
            throw inputError(at, `"${role.arn}" is in partition ${role.partition}, but kms-key-arn is in ${partition}: the source and target accounts must be in one partition.`);
        }
        const earlier = places.get(role.accountId);
        if (earlier !== undefined)
            throw inputError(at, `"${role.arn}" is in account ${role.accountId}, like ${earlier}: give each target account once.`);
        places.set(role.accountId, place);
    }
    return targets.map((target) => target.spec);
}

;// CONCATENATED MODULE: ./src/policy/recipients.ts
const ACCOUNT_ID = /^\d{12}$/;
/**
 * AWS's patterns for organization and OU ARNs: the management account, the organization ID (o- and 10 to 32 letters
 * or digits) and the OU ID (ou-, 4 to 32 letters or digits naming the root, -, 8 to 32 more).
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html
 */
const ORGANIZATION_ARN = /^arn:(aws[a-z-]*):organizations::\d{12}:organization\/(o-[a-z0-9]{10,32})$/;
const OU_ARN = /^arn:(aws[a-z-]*):organizations::\d{12}:ou\/(o-[a-z0-9]{10,32})\/(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/;
const FORMATS = 'an account ID (12 digits), an organization ARN (arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:organization/o-EXAMPLE) ' +
    'or an OU ARN (arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:ou/o-EXAMPLE/ou-ROOT-EXAMPLE)';
/** Why a value is not a recipient, with what was probably meant. */
function notARecipient(value) {
    if (/^\d+$/.test(value))
        return `an account ID has 12 digits, this one ${value.length}`;
    if (/[,;\s]/.test(value))
        return 'give one recipient per line';
    if (/^o-/.test(value))
        return 'launch permissions name an organization by its ARN, not its ID: arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:organization/' + value;
    if (/^ou-/.test(value))
        return 'launch permissions name an OU by its ARN, not its ID: arn:aws:organizations::MANAGEMENT-ACCOUNT-ID:ou/o-EXAMPLE/' + value;
    return `it is not ${FORMATS}`;
}
/** Parses one recipient; returns the reason when the value is not one. */
function parseRecipient(value) {
    if (ACCOUNT_ID.test(value))
        return { kind: 'account', accountId: value };
    const organization = ORGANIZATION_ARN.exec(value);
    if (organization)
        return { kind: 'organization', arn: value, partition: organization[1], organizationId: organization[2] };
    const ou = OU_ARN.exec(value);
    if (ou)
        return { kind: 'organizational-unit', arn: value, partition: ou[1], organizationId: ou[2], ouId: ou[3] };
    return notARecipient(value);
}
/** The account ID or ARN, as the input and EC2's launch permissions name the recipient. */
function recipientId(recipient) {
    return recipient.kind === 'account' ? recipient.accountId : recipient.arn;
}
/** "account 123456789012", "organization o-…", "OU ou-… of o-…", for messages. */
function recipientLabel(recipient) {
    switch (recipient.kind) {
        case 'account':
            return `account ${recipient.accountId}`;
        case 'organization':
            return `organization ${recipient.organizationId}`;
        default:
            return `OU ${recipient.ouId} of ${recipient.organizationId}`;
    }
}
/** The recipients of one target account's AMIs: its own account owns them and needs no launch permission. */
function recipientsOf(shareWith, ownerAccountId) {
    return shareWith.filter((recipient) => recipient.kind !== 'account' || recipient.accountId !== ownerAccountId);
}

;// CONCATENATED MODULE: ./src/github/inputs.ts








const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const AMI_NAME = /^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/;
const SSM_NAME = /^(?:\/?[a-zA-Z0-9_.-]+)+$/;
const KEY_ACCESS_MODES = ['verify', 'grant', 'key-policy'];
const AUTOSCALING_MODES = ['check', 'grant', 'off'];
const COPY_METHODS = ['image', 'snapshots'];
/** A warning for a value that looks like more tags on the same line, e.g. Name=web,Env=prod. */
function commaSeparatedTagsWarning(name, where, text, key, value) {
    if (!/,\s*[^,=\s][^,=]*=/.test(value))
        return undefined;
    const lines = text.split(',').map((part) => `  ${part.trim()}`);
    return (`Input ${name}: ${where} gives the tag ${key} the value "${value}". Tags are one Key=Value per line; ` +
        `if you meant several tags, write:\n${name}: |\n${lines.join('\n')}`);
}
function parseTags(name, raw) {
    const tags = [];
    const warnings = [];
    const keys = new Set();
    for (const [index, line] of raw.split('\n').entries()) {
        const text = line.trim();
        if (text === '')
            continue;
        const eq = text.indexOf('=');
        const where = `line ${index + 1} ("${text}")`;
        if (eq <= 0)
            throw new InputError(name, `${where} is not Key=Value.`);
        const key = text.slice(0, eq).trim();
        const value = text.slice(eq + 1).trim();
        if (characterCount(key) > TAG_LIMITS.keyLength)
            throw new InputError(name, `${where}: a tag key has at most 128 characters.`);
        if (characterCount(value) > TAG_LIMITS.valueLength)
            throw new InputError(name, `${where}: a tag value has at most 256 characters.`);
        if (key.toLowerCase().startsWith('aws:'))
            throw new InputError(name, `${where}: tag keys starting with "aws:" are reserved by AWS.`);
        if (keys.has(key))
            throw new InputError(name, `${where}: the key "${key}" is given twice.`);
        keys.add(key);
        tags.push({ Key: key, Value: value });
        const warning = commaSeparatedTagsWarning(name, where, text, key, value);
        if (warning)
            warnings.push(warning);
    }
    return { tags, warnings };
}
function defaultSessionName(run) {
    return run.runId ? `promote-ami-${run.runId}-${run.runAttempt ?? '1'}` : `promote-ami-${Date.now()}`;
}
function provenance({ repository, sha, runId, runAttempt, runUrl }) {
    return { repository, commitSha: sha, runId, runAttempt, runUrl };
}
function readSourceAmiId() {
    const sourceAmiId = required('source-ami-id');
    if (AMI_ID.test(sourceAmiId.toLowerCase()) && !AMI_ID.test(sourceAmiId)) {
        // EC2 resource IDs are lower case: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
        throw new InputError('source-ami-id', `"${sourceAmiId}" has capital letters, but AMI IDs are lower case: use ${sourceAmiId.toLowerCase()}.`);
    }
    if (!AMI_ID.test(sourceAmiId)) {
        throw new InputError('source-ami-id', `"${sourceAmiId}" is not an AMI ID (ami- followed by 8 or 17 hex digits, e.g. ami-0123456789abcdef0).`);
    }
    return sourceAmiId;
}
/** The source key, role and region, and the target accounts, in one partition. */
function readAccounts() {
    const kmsKey = parseKmsKeyArn('kms-key-arn', required('kms-key-arn'));
    const sourceRoleRaw = optional('source-role-arn');
    const sourceRole = sourceRoleRaw === undefined ? undefined : parseRole('source-role-arn', sourceRoleRaw);
    if (sourceRole && sourceRole.partition !== kmsKey.partition) {
        throw new InputError('source-role-arn', `is in partition ${sourceRole.partition} but kms-key-arn is in ${kmsKey.partition}.`);
    }
    const sourceRegion = optional('source-region') ?? kmsKey.region;
    if (!isRegion(sourceRegion))
        throw new InputError('source-region', `"${sourceRegion}" is not a region name (for example eu-west-1).`);
    if (kmsKey.region !== sourceRegion) {
        throw new InputError('kms-key-arn', `the key is in ${kmsKey.region} but source-region is ${sourceRegion}. KMS keys are regional: pass a key in ${sourceRegion}, or leave source-region empty.`);
    }
    const targetRegionsRaw = optional('target-regions');
    const regions = targetRegionsRaw === undefined ? [sourceRegion] : parseRegionList('target-regions', targetRegionsRaw);
    return { kmsKey, sourceRole, sourceRegion, targets: readTargets({ partition: kmsKey.partition, regions }) };
}
/** The promoted AMI's name and description, and the SSM parameter to publish it in. */
function readImageSettings() {
    const amiName = optional('ami-name');
    if (amiName !== undefined && !AMI_NAME.test(amiName)) {
        throw new InputError('ami-name', `"${amiName}" is not a valid AMI name: 3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _.`);
    }
    const amiDescription = optional('ami-description');
    if (amiDescription !== undefined && amiDescription.length > 255) {
        throw new InputError('ami-description', `has ${amiDescription.length} characters; AMI descriptions have at most 255.`);
    }
    const ssmParameter = optional('ssm-parameter');
    if (ssmParameter !== undefined) {
        const bare = ssmParameter.replace(/^\//, '').toLowerCase();
        if (!SSM_NAME.test(ssmParameter) || ssmParameter.length > 1011 || bare.startsWith('aws') || bare.startsWith('ssm')) {
            throw new InputError('ssm-parameter', `"${ssmParameter}" is not a valid parameter name: letters, digits and . - _ / (e.g. /golden-ami/latest), not starting with aws or ssm.`);
        }
    }
    return { amiName, amiDescription, ssmParameter };
}
/** How the roles are assumed: with an OIDC token for `audience`, or with role chaining (no token). Needs no run context. */
function readTokenSettings() {
    return { audience: lib_core/* getInput */.V4('audience') || 'sts.amazonaws.com', roleChaining: bool('role-chaining', false) };
}
function readSession(run) {
    const roleSessionName = optional('role-session-name') ?? defaultSessionName(run);
    if (!SESSION_NAME.test(roleSessionName)) {
        throw new InputError('role-session-name', `"${roleSessionName}" must be 2 to 64 characters of letters, digits and +=,.@_-.`);
    }
    return { ...readTokenSettings(), roleSessionName, roleDurationSeconds: integer('role-duration-seconds', 900, 43200, 3600) };
}
/** Reads and validates every input; throws InputError naming the first bad one. Makes no network call. */
function readInputs(run) {
    const sourceAmiId = readSourceAmiId();
    const accounts = readAccounts();
    const keyAccess = oneOf('key-access', KEY_ACCESS_MODES, 'verify');
    const autoscalingAccess = oneOf('autoscaling-access', AUTOSCALING_MODES, 'check');
    const image = readImageSettings();
    const session = readSession(run);
    const tags = parseTags('tags', lib_core/* getInput */.V4('tags'));
    const origin = provenance(run);
    const { repository } = origin;
    const request = {
        sourceAmiId,
        ...accounts,
        keyAccess,
        autoscalingAccess,
        ...image,
        tags: tags.tags,
        copyTags: bool('copy-tags', true),
        cleanup: bool('cleanup', true),
        waitTimeoutMinutes: integer('wait-timeout-minutes', 1, 2880, 120),
        deregistrationProtection: bool('deregistration-protection', false),
        deprecateAfterDays: integer('deprecate-after-days', 1, 3650),
        copyCompletionMinutes: integer('copy-completion-minutes', 15, 2880, undefined, 15),
        maxParallelCopies: integer('max-parallel-copies', 1, 1000, 200),
        shareWith: parseShareWith('share-with', lib_core/* getInput */.V4('share-with')),
        ...readAfterCopy(repository),
        dryRun: bool('dry-run', false),
        provenance: origin,
        copyMethod: oneOf('copy-method', COPY_METHODS, 'image'),
    };
    return { request, session, warnings: tags.warnings };
}
/**
 * share-with: account IDs, organization ARNs and OU ARNs, one per line. Never `all`: the promoted AMI is never made
 * public.
 */
function parseShareWith(name, raw) {
    const recipients = [];
    const lines = new Map();
    for (const { text, number } of nonEmptyLines(raw)) {
        const where = `line ${number} ("${text}")`;
        if (text.toLowerCase() === 'all') {
            throw new InputError(name, `${where}: "all" would make the promoted AMI public, which this action never does. Name the accounts, organizations or OUs to share it with.`);
        }
        const recipient = parseRecipient(text);
        if (typeof recipient === 'string')
            throw new InputError(name, `${where} is not a recipient: ${recipient}.`);
        const first = lines.get(recipientId(recipient));
        if (first !== undefined)
            throw new InputError(name, `${where} repeats line ${first}.`);
        lines.set(recipientId(recipient), number);
        recipients.push(recipient);
    }
    return recipients;
}

;// CONCATENATED MODULE: ./src/github/logger.ts

const actionsLogger = {
    info: (message) => lib_core/* info */.pq(message),
    warning: (message) => lib_core/* warning */.$e(message),
    debug: (message) => lib_core/* debug */.Yz(message),
    group: (name, fn) => lib_core/* group */.Os(name, fn),
};

// EXTERNAL MODULE: ./src/github/run-context.ts
var run_context = __webpack_require__(7068);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/index.js
var core_dist_cjs = __webpack_require__(402);
;// CONCATENATED MODULE: ./src/aws/session-credentials.ts


function complete(issued, options) {
    if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken || !issued.Expiration) {
        throw new errors/* PromotionError */.g1({
            what: `Assuming ${options.role.arn}`,
            side: options.side,
            accountId: options.role.accountId,
            why: 'STS answered without complete credentials.',
            fix: 'Re-run the job; if it persists, check the STS endpoint settings (AWS_ENDPOINT_URL_STS).',
        });
    }
    return { AccessKeyId: issued.AccessKeyId, SecretAccessKey: issued.SecretAccessKey, SessionToken: issued.SessionToken, Expiration: issued.Expiration };
}
/**
 * Credentials of one assumed role, shared by all clients of its account and renewed by assuming the role again before
 * they expire, so that long waits outlive a single session.
 */
function renewingCredentials(options) {
    const now = options.now ?? Date.now;
    const lifetimes = new WeakMap();
    const assume = async () => {
        const issued = complete(await options.assume(), options);
        const credentials = {
            accessKeyId: issued.AccessKeyId,
            secretAccessKey: issued.SecretAccessKey,
            sessionToken: issued.SessionToken,
            expiration: issued.Expiration,
        };
        options.onCredentials?.(credentials);
        lifetimes.set(credentials, issued.Expiration.getTime() - now());
        return credentials;
    };
    // Renew when less than a quarter of the lifetime (at most the SDK's five minutes) is left.
    const isExpired = (identity) => {
        if (!identity.expiration)
            return false;
        const lifetime = lifetimes.get(identity) ?? core_dist_cjs.EXPIRATION_MS * 4;
        return identity.expiration.getTime() - now() <= Math.min(core_dist_cjs.EXPIRATION_MS, lifetime / 4);
    };
    const requiresRefresh = (identity) => identity.expiration !== undefined;
    const memoized = (0,core_dist_cjs.memoizeIdentityProvider)(assume, isExpired, requiresRefresh);
    if (!memoized)
        throw new Error('memoizeIdentityProvider returned no provider');
    return memoized;
}
/** STS's answer to a DurationSeconds above what the role allows, as a reason and a fix; undefined for other errors. */
function durationProblem(message, role) {
    if (!/DurationSeconds/i.test(message))
        return undefined;
    // A session assumed from another role's session ("role chaining") lasts at most one hour, whatever the role's
    // maximum: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
    if (/chain/i.test(message)) {
        return {
            why: `the credentials in the environment are a role session, and AWS limits a role assumed from another role's session (role chaining) to one hour (${message}).`,
            fix: 'Set role-duration-seconds to 3600 or less (the default is 3600): the action assumes the role again before each session ends.',
        };
    }
    return {
        why: `the requested session lasts longer than the role allows (${message}).`,
        fix: `Lower role-duration-seconds to at most the role's MaxSessionDuration, or raise that maximum on ${role.arn}.`,
    };
}

;// CONCATENATED MODULE: ./src/aws/trust-policy.ts

/** The issuer of GitHub Actions' OIDC tokens, also the name of its IAM identity provider. */
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/**
 * The jobs a generated trust policy accepts when nothing names them: those of the environment `production`. A run
 * cannot tell its own environment (only its OIDC token's `sub` claim says it), so the default is the usual name.
 */
const DEFAULT_SUBJECT = { environment: 'production' };
/** The `sub` claim of the jobs `subject` names, in the repository (OWNER/REPO when unknown). */
function githubSubject(repository, subject) {
    const repo = `repo:${repository ?? 'OWNER/REPO'}`;
    return 'environment' in subject ? `${repo}:environment:${subject.environment}` : `${repo}:ref:refs/heads/${subject.branch}`;
}
/** The `sub` claim of a GitHub OIDC token (a JWT), or undefined when it cannot be read; the token is not verified. */
function tokenSubject(token) {
    try {
        const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
        const sub = claims?.sub;
        return typeof sub === 'string' ? sub : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * The trust-policy statement that lets the jobs whose token has the `sub` claim `subject` assume a role of the account.
 * Both claims are matched exactly, as IAM recommends for roles that trust GitHub's identity provider:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub
 */
function githubOidcTrustStatement(partition, accountId, audience, subject) {
    return {
        Effect: 'Allow',
        Principal: { Federated: `arn:${partition}:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: audience, [`${GITHUB_OIDC_HOST}:sub`]: subject } },
    };
}
/**
 * The trust-policy statement that lets `principalArn` (a role or user, of any account, or an account's root, which
 * delegates to the principals its IAM policies allow) assume a role with sts:AssumeRole. The action passes no session
 * tags, so no sts:TagSession: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
 */
function assumeRoleTrustStatement(principalArn) {
    return { Effect: 'Allow', Principal: { AWS: principalArn }, Action: 'sts:AssumeRole' };
}
/** The principal a role-chaining trust names: that of the environment's credentials, else the source account. */
function chainingPrincipal(partition, sourceAccountId, principalArn) {
    return principalArn ?? accountRootArn(partition, sourceAccountId);
}

;// CONCATENATED MODULE: ./src/aws/role-chaining.ts







const NO_CREDENTIALS_FIX = 'Give the job AWS credentials before this step: an instance profile or task role on the self-hosted runner, AWS_PROFILE ' +
    '(with aws sso login on a laptop), or an earlier aws-actions/configure-aws-credentials step. Or set role-chaining to false ' +
    "to assume the role with the job's GitHub OIDC token.";
/** Who the environment's credentials are, for the trust-policy fix; undefined when even that cannot be had. */
async function environmentPrincipal(sts) {
    try {
        const arn = (await sts.send(new client_sts_dist_cjs/* GetCallerIdentityCommand */.zI({}))).Arn;
        return arn ? principalOf(arn) : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * The trust statement naming the environment's principal and, across accounts, the statement its own IAM policy needs:
 * a role in another account is assumed only when both allow it
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, "Permissions").
 */
function trustFix(role, principal) {
    const named = principal ?? `arn:${role.partition}:iam::SOURCE-ACCOUNT:role/RUNNER-ROLE`;
    const statement = JSON.stringify(assumeRoleTrustStatement(named), null, 2);
    const path = /:role\/[^/]+$/.test(named) ? ` (if ${named} has a path, put it in the ARN: a session ARN does not show it)` : '';
    const fix = `Add this statement to the trust policy of ${role.arn}${path}:\n${statement}`;
    const sameAccount = principal !== undefined && principal.split(':')[4] === role.accountId;
    return sameAccount ? fix : `${fix}\nand this one to the IAM policy of ${principal ?? 'the principal of the credentials in the environment'}:\n${identityStatement('sts:AssumeRole', role.arn)}`;
}
/** AssumeRole's answers (credentials in the environment, trust policy, session length); the rest as for any AWS call. */
async function explainChainedFailure(error, options) {
    const what = `Assuming ${options.role.arn} with the credentials in the environment (role-chaining)`;
    const explained = (why, fix) => new errors/* PromotionError */.g1({ what, side: options.side, accountId: options.role.accountId, why, fix, cause: error });
    const kind = classify(error);
    if (kind === 'no-credentials')
        return explained(`no AWS credentials were found in the environment (${(0,errors/* errorMessage */.gJ)(error)}).`, NO_CREDENTIALS_FIX);
    if (kind === 'expired' || kind === 'invalid-credentials') {
        return explained(`AWS refused the credentials in the environment (${(0,errors/* errorName */.Is)(error)}: ${(0,errors/* errorMessage */.gJ)(error)}).`, `Renew or correct them before this step. ${NO_CREDENTIALS_FIX}`);
    }
    if (kind === 'denied') {
        const principal = await environmentPrincipal(options.sts);
        const who = principal ?? 'the principal of the credentials in the environment';
        const why = `the role does not exist, its trust policy does not let ${who} assume it, or (from another account) ${who} may not call sts:AssumeRole on it (${(0,errors/* errorMessage */.gJ)(error)}).`;
        return explained(why, trustFix(options.role, principal));
    }
    const duration = (0,errors/* errorName */.Is)(error) === 'ValidationError' ? durationProblem((0,errors/* errorMessage */.gJ)(error), options.role) : undefined;
    if (duration)
        return explained(duration.why, duration.fix);
    return explainAwsError(error, { what, side: options.side, accountId: options.role.accountId, action: 'sts:AssumeRole', resource: options.role.arn });
}
/**
 * Credentials of a role assumed with sts:AssumeRole from the credentials in the environment (configure-aws-credentials'
 * role-chaining), renewed by assuming the role again before they expire: a session assumed from another role's session
 * lasts at most one hour (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
 */
function chainedRoleCredentials(options) {
    const assume = async () => {
        try {
            const input = { RoleArn: options.role.arn, RoleSessionName: options.sessionName, DurationSeconds: options.durationSeconds };
            return (await options.sts.send(new client_sts_dist_cjs/* AssumeRoleCommand */.QL(input))).Credentials;
        }
        catch (error) {
            throw await explainChainedFailure(error, options);
        }
    };
    return renewingCredentials({ role: options.role, side: options.side, assume, onCredentials: options.onCredentials, now: options.now });
}

;// CONCATENATED MODULE: ./src/aws/web-identity.ts






/** The statement to add names the job's own `sub` claim, read from its token (the default subject when unreadable). */
function trustPolicyFix(options, token) {
    const subject = tokenSubject(token) ?? githubSubject(options.repository, DEFAULT_SUBJECT);
    const statement = githubOidcTrustStatement(options.role.partition, options.role.accountId, options.audience, subject);
    return (`Make sure account ${options.role.accountId} has the IAM OIDC provider ${GITHUB_OIDC_HOST} with the audience ${options.audience}, ` +
        `and that the role ${options.role.arn} exists and its trust policy contains:\n${JSON.stringify(statement, null, 2)}`);
}
// STS's answers to a web identity token it cannot validate or whose claims the provider rejects (ExpiredTokenException,
// "expired or not valid: get a new token and retry", is classified as expired):
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
const TOKEN_REJECTED = new Set(['InvalidIdentityTokenException', 'IDPRejectedClaimException']);
/** AssumeRoleWithWebIdentity's own answers (token, trust policy, session length); the rest as for any AWS call. */
function explainAssumeFailure(error, options, token) {
    const name = (0,errors/* errorName */.Is)(error);
    const site = {
        what: `Assuming ${options.role.arn} with the GitHub OIDC token`,
        side: options.side,
        accountId: options.role.accountId,
        action: 'sts:AssumeRoleWithWebIdentity',
    };
    const explained = (why, fix) => new errors/* PromotionError */.g1({ what: site.what, side: site.side, accountId: site.accountId, why, fix, cause: error });
    if (TOKEN_REJECTED.has(name)) {
        const why = `STS rejected the token (${name}: ${(0,errors/* errorMessage */.gJ)(error)}). The OIDC provider is missing, or its audience list does not include ${options.audience}.`;
        return explained(why, trustPolicyFix(options, token));
    }
    const kind = classify(error);
    if (kind === 'denied') {
        return explained(`the role does not exist, or its trust policy does not let this workflow assume it (${(0,errors/* errorMessage */.gJ)(error)}).`, trustPolicyFix(options, token));
    }
    if (kind === 'expired') {
        return explained(`STS found the job's OIDC token expired or not valid (${name}: ${(0,errors/* errorMessage */.gJ)(error)}).`, 'Re-run the job: the action gets a fresh token for every session.');
    }
    const duration = name === 'ValidationError' ? durationProblem((0,errors/* errorMessage */.gJ)(error), options.role) : undefined;
    if (duration)
        return explained(duration.why, duration.fix);
    return explainAwsError(error, site);
}
/**
 * Credentials from AssumeRoleWithWebIdentity, shared by all clients of one account and renewed with a
 * fresh OIDC token before they expire, so long waits outlive a single session.
 */
function webIdentityCredentials(options) {
    const assume = async () => {
        const token = await options.getToken();
        try {
            const response = await options.sts.send(new client_sts_dist_cjs/* AssumeRoleWithWebIdentityCommand */.WH({
                RoleArn: options.role.arn,
                RoleSessionName: options.sessionName,
                WebIdentityToken: token,
                DurationSeconds: options.durationSeconds,
            }));
            return response.Credentials;
        }
        catch (error) {
            throw explainAssumeFailure(error, options, token);
        }
    };
    return renewingCredentials({ role: options.role, side: options.side, assume, onCredentials: options.onCredentials, now: options.now });
}

;// CONCATENATED MODULE: ./src/github/oidc.ts


// GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only for jobs granted
// `permissions: id-token: write`, and never for workflows triggered from forks:
// https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings
// A reusable workflow gets a token only when its caller grants id-token: write too:
// https://github.blog/changelog/2023-06-15-github-actions-securing-openid-connect-oidc-token-permissions-in-reusable-workflows/
const PERMISSIONS_BLOCK = 'permissions:\n  id-token: write\n  contents: read';
/** The job's GitHub OIDC token could not be had: the message is about the token and the job's permissions only. */
class OidcTokenError extends errors/* PromotionError */.g1 {
    constructor(audience, why, fix, cause) {
        super({ what: `Getting the job's GitHub OIDC token (audience ${audience})`, why, fix, cause });
        this.name = 'OidcTokenError';
    }
}
const REQUEST_VARIABLES = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
// Outside a GitHub Actions job (GITHUB_ACTIONS is "true" in every job: https://docs.github.com/en/actions/reference/variables-reference)
// there is no token at all: the roles can only be assumed from the credentials in the environment. Read from the
// environment because @actions/github's context has no field for it.
const OUTSIDE_ACTIONS_FIX = 'Set the input role-chaining to true (INPUT_ROLE-CHAINING=true) to assume the roles with sts:AssumeRole from the AWS credentials ' +
    'in the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, or an instance profile).';
class MissingOidcPermissionError extends OidcTokenError {
    constructor(audience, missing, inActionsJob = process.env.GITHUB_ACTIONS === 'true') {
        super(audience, inActionsJob
            ? `${missing} is not set: GitHub offers a token only to jobs granted the permission id-token: write.`
            : `${missing} is not set: this is not a GitHub Actions job, and only those get a GitHub OIDC token.`, inActionsJob
            ? `Add this to the job (or workflow) that uses the action:\n${PERMISSIONS_BLOCK}\nWorkflows triggered from forks never receive an OIDC token.`
            : OUTSIDE_ACTIONS_FIX);
        this.name = 'MissingOidcPermissionError';
    }
}
/** The token endpoint's answer, from @actions/core's "Failed to get ID Token ... Error Code : 403 ... Error Message: ..." */
function endpointAnswer(error) {
    const text = (0,errors/* errorMessage */.gJ)(error);
    const status = /Error Code\s*:\s*(\d{3})/.exec(text)?.[1];
    const detail = (/Error Message:\s*([^\n]*)/.exec(text)?.[1] ?? text.replace(/^Error message:\s*/, '')).replace(/\s+/g, ' ').trim();
    return { status: status === undefined ? undefined : Number(status), detail };
}
function endpointFailure(audience, error, hadToken) {
    const { status, detail } = endpointAnswer(error);
    const answer = status === undefined ? detail : `HTTP ${status}${detail ? `: ${detail}` : ''}`;
    const why = `the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) gave no token (${answer}).`;
    if (hadToken) {
        return new OidcTokenError(audience, why, "The job has the permission id-token: write (it got a token earlier in this run), so GitHub's token service failed to issue a new one: re-run the job.", error);
    }
    const transient = status === undefined || status >= 500;
    const permissions = `the job (or workflow) that uses the action has\n${PERMISSIONS_BLOCK}\n` +
        '(in a reusable workflow, the calling job needs id-token: write too) and is not triggered from a fork (those never receive an OIDC token).';
    return new OidcTokenError(audience, why, transient ? `GitHub's token service failed: re-run the job. If it keeps failing, check that ${permissions}` : `Check that ${permissions}`, error);
}
/**
 * Asks for a token for the audience at once, for the first session to use: the main step's first request, made before
 * the rest of the step loads. Undefined when the job has no token to give (the session then says why).
 */
function earlyToken(audience) {
    if (REQUEST_VARIABLES.some((name) => !process.env[name]))
        return undefined;
    return core.getIDToken(audience);
}
/**
 * Returns a function that mints a fresh OIDC token for the audience (the first call takes `first`, when asked for
 * already); the toolkit masks each token.
 */
function oidcTokenSource(audience, first) {
    let hadToken = false;
    let early = first;
    return async () => {
        const missing = REQUEST_VARIABLES.find((name) => !process.env[name]);
        if (missing)
            throw new MissingOidcPermissionError(audience, missing);
        const asked = early ?? lib_core/* getIDToken */.V9(audience);
        early = undefined;
        try {
            const token = await asked;
            hadToken = true;
            return token;
        }
        catch (error) {
            throw endpointFailure(audience, error, hadToken);
        }
    };
}

;// CONCATENATED MODULE: ./src/github/sessions.ts





function maskCredentials(credentials) {
    lib_core/* setSecret */.Pq(credentials.accessKeyId);
    lib_core/* setSecret */.Pq(credentials.secretAccessKey);
    if (credentials.sessionToken)
        lib_core/* setSecret */.Pq(credentials.sessionToken);
}
/**
 * Clients for every account; roles are assumed with the job's OIDC token, or with role-chaining from the credentials in
 * the environment, and renewed as needed.
 */
function openSessions({ request, session }, firstToken) {
    const environment = createAccountClients({});
    const sts = environment.sts(request.sourceRegion);
    const getToken = oidcTokenSource(session.audience, firstToken);
    const common = { sessionName: session.roleSessionName, durationSeconds: session.roleDurationSeconds, sts, onCredentials: maskCredentials };
    const assumed = (role, side) => createAccountClients({
        credentials: session.roleChaining
            ? chainedRoleCredentials({ role, side, ...common })
            : webIdentityCredentials({ role, side, ...common, getToken, audience: session.audience, repository: request.provenance.repository }),
    });
    return {
        environment,
        source: request.sourceRole ? assumed(request.sourceRole, 'source') : environment,
        targets: request.targets.map((spec) => ({ spec, clients: assumed(spec.role, 'target') })),
    };
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
    core.summary.addHeading('AMI promotion', 2).addTable([header, ...rows, ...failed]).addList(details);
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
    core.summary.addHeading('Preflight', 3).addTable([header, ...rows]);
}
/** The complete policies for these inputs, collapsed; with several target accounts, each account's own. */
function addPoliciesSummary(policies) {
    const block = (title, value) => `<details><summary>${title}</summary>\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\n</details>`;
    const several = Object.entries(policies.targets ?? {});
    const targets = several.length > 1 ? several.map(([accountId, p]) => [` in account ${accountId}`, p]) : [['', policies]];
    core.summary
        .addHeading('Policies for these inputs', 3)
        .addRaw(block('Source role: IAM policy', policies.sourceRoleIamPolicy), true)
        .addRaw(block(`Source key: key-policy statements for the target role${targets.length > 1 ? 's' : ''}`, policies.keyPolicyStatements), true);
    for (const [where, p] of targets) {
        core.summary.addRaw(block(`Target role${where}: IAM policy`, p.targetRoleIamPolicy), true).addRaw(block(`Target role${where}: trust policy`, p.targetTrustPolicy), true);
        if (p.autoscalingKeyStatements.length > 0) {
            core.summary.addRaw(block(`Target key${where}: statements for the Auto Scaling service-linked role`, p.autoscalingKeyStatements), true);
        }
    }
    if (policies.recipientKeyStatements.length > 0) {
        core.summary.addRaw(block('Target key: statements for the share-with recipients', policies.recipientKeyStatements), true);
    }
}
/** The job summary's "Cleanup" section: one row per item removed, kept or not removed. */
function addCleanupSummary(report) {
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
async function writeSummary() {
    try {
        await lib_core/* summary */.z.write();
    }
    catch (error) {
        lib_core/* warning */.$e(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
    }
}

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
    const [run] = await Promise.all([(0,run_context/* loadRunContext */.v)(), loadServiceClients()]);
    const inputs = readInputs(run);
    const sessions = openSessions(inputs);
    const accounts = cleanupAccounts(inputs.request, sessions.source, sessions.targets);
    const ctx = { ...accounts, journal, log: actionsLogger, clock: context/* systemClock */.ml };
    const report = await lib_core/* group */.Os('Clean up', () => cleanUp(ctx));
    addCleanupSummary(report);
    await writeSummary();
    if (report.failed.length > 0) {
        lib_core/* setFailed */.C1(`Cleanup could not undo ${report.failed.length} change(s); they are still in place:\n\n` + report.failed.map((item) => item.message).join('\n\n'));
    }
    else {
        lib_core/* info */.pq(`Cleanup done: ${report.removed.length} removed, ${report.kept.length} kept on purpose.`);
    }
    return report.failed.length === 0;
}


/***/ }),

/***/ 7068:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   v: () => (/* binding */ loadRunContext)
/* harmony export */ });
/* unused harmony export runContextOf */
const numberText = (value) => (Number.isInteger(value) && value > 0 ? String(value) : undefined);
/** The toolkit's repo getter throws without GITHUB_REPOSITORY and an event payload naming one. */
function repoOf(context) {
    try {
        const { owner, repo } = context.repo;
        return owner && repo ? { owner, repo } : undefined;
    }
    catch {
        return undefined;
    }
}
function runContextOf(context) {
    const repo = repoOf(context);
    const repository = repo ? `${repo.owner}/${repo.repo}` : undefined;
    const runId = numberText(context.runId);
    return {
        repository,
        ...repo,
        sha: context.sha || undefined,
        runId,
        runAttempt: numberText(context.runAttempt),
        runUrl: repository && runId ? `${context.serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    };
}
/**
 * The run context. @actions/github exports its Context only from its index, which loads Octokit: it is a chunk of its
 * own, which the main step loads only once its first request (the OIDC token) has been answered.
 */
async function loadRunContext() {
    const { context } = await __webpack_require__.e(/* import() */ 542).then(__webpack_require__.bind(__webpack_require__, 542));
    return runContextOf(context);
}


/***/ })

};
