export const id = 201;
export const ids = [201];
export const modules = {

/***/ 3201:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  closeAfterCancellation: () => (/* binding */ closeAfterCancellation)
});

// UNUSED EXPORTS: openDeploymentRecord, recordOutcome, watchForDeployment

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 18 modules
var lib_core = __webpack_require__(6257);
// EXTERNAL MODULE: ./src/aws/errors.ts
var errors = __webpack_require__(9378);
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
const deployment_clip = (text) => (text.length <= DESCRIPTION_LIMIT ? text : `${text.slice(0, DESCRIPTION_LIMIT - 1)}…`);
const deployment_imageList = (images) => images.map((i) => `${i.imageId} (${i.accountId} ${i.region})`).join(', ');
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
function deployment_deploymentPayload(source, images, runUrl) {
    const amis = {};
    for (const image of images)
        (amis[image.accountId] ??= {})[image.region] = image.imageId;
    return { 'source-ami-id': source.amiId, 'source-region': source.region, amis, ...(runUrl ? { 'run-url': runUrl } : {}) };
}

;// CONCATENATED MODULE: ./src/github/deployment-inputs.ts

/**
 * deployment-environment and github-token; undefined when no environment is named (nothing is recorded) or there is
 * no token (a warning: recording never stops a promotion). The token is masked before anything can print it.
 */
function readDeploymentSettings() {
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

// EXTERNAL MODULE: ./src/github/state.ts + 1 modules
var state = __webpack_require__(7422);
;// CONCATENATED MODULE: ./src/github/deployment-record.ts



const timeout = () => ({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
/** Sets a status of the deployment; the run's page is its log, and after a success also where the promoted AMIs are listed. */
async function setStatus(api, target, id, state, description) {
    const { owner, repo, runUrl } = target;
    const urls = runUrl ? { log_url: runUrl, ...(state === 'success' ? { environment_url: runUrl } : {}) } : {};
    await api.createDeploymentStatus({ owner, repo, deployment_id: id, state, description: deployment_clip(description), ...urls, request: timeout() });
}
/**
 * The promotion's deployment. It is created once every promoted AMI has an ID (their copies started, or they were
 * reused), because GitHub cannot change a deployment's payload later; it stays in progress while the copies complete.
 * Each call is tried once; a failure is a warning and never reaches the promotion.
 */
class deployment_record_DeploymentRecord {
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
        core.info(`Recorded the promotion as deployment ${id} of ${sha.slice(0, 7)} in environment "${environment}".`);
        await this.attempt('setting its status to in_progress', (api) => setStatus(api, this.target, id, 'in_progress', `Copying: ${imageList(images)}`));
        return id;
    }
    async attempt(what, call) {
        try {
            this.client ??= this.load();
            return await call(await this.client);
        }
        catch (error) {
            core.warning(recordingWarning(this.target.environment, what, error));
            return undefined;
        }
    }
}
/**
 * The post step after a main step that never finished its deployment (cancelled, or stopped): inactive when the cleanup
 * undid the run (GitHub: the deployment is no longer active), error when something could not be undone.
 */
async function finishAfterCancellation(api, target, saved, cleanedUp) {
    const [state, description] = cleanedUp
        ? ['inactive', 'Cancelled: the post step removed the unfinished copies and the temporary sharing.']
        : ['error', 'Cancelled: the post step could not undo everything; see the run log.'];
    try {
        await setStatus(api, target, saved.id, state, description);
        lib_core/* info */.pq(`Deployment ${saved.id} in environment "${target.environment}" is now ${state}.`);
    }
    catch (error) {
        lib_core/* warning */.$e(deployment_recordingWarning(target.environment, `setting its status to ${state}`, error));
    }
}

// EXTERNAL MODULE: ./src/github/run-context.ts
var run_context = __webpack_require__(7068);
;// CONCATENATED MODULE: ./src/github/deployment-step.ts







/** The main step's deployment record; undefined without deployment-environment, in a dry run, or outside a workflow run. */
function openDeploymentRecord(settings, run, request) {
    if (!settings)
        return undefined;
    if (request.dryRun) {
        core.info(`Dry run: nothing is recorded in environment "${settings.environment}".`);
        return undefined;
    }
    const target = deploymentTarget(settings, run);
    return target && new DeploymentRecord(() => octokitDeploymentApi(settings.token), target, { amiId: request.sourceAmiId, region: request.sourceRegion });
}
/** The run's journal, telling the record when every promoted AMI has its ID. */
function watchForDeployment(record, journal, pre) {
    return record ? watchPromotedImages(journal, pre, (images) => record.promoted(images)) : journal;
}
const firstLine = (error) => errorMessage(error).split('\n')[0] ?? '';
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
    const target = deployment_deploymentTarget(settings, await (0,run_context/* loadRunContext */.v)());
    if (!target)
        return;
    try {
        await finishAfterCancellation(await deployment_octokitDeploymentApi(settings.token), target, saved, cleanedUp);
    }
    catch (error) {
        lib_core/* warning */.$e(deployment_recordingWarning(settings.environment, 'closing it after the cancellation', error));
    }
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
