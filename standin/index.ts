/**
 * The project's public entry to its local stand-ins, the only module the tests, the demo and the benchmark import.
 * The AWS stand-in: an HTTP server on 127.0.0.1 that the real AWS SDK v3 clients talk to
 * (EC2, KMS, STS, SSM, IAM), with AWS's sharing, copy and KMS authorisation semantics, a GitHub OIDC issuer,
 * fault injection and a call log.
 *
 *   const standin = await startStandIn(defaultWorld(), { copyDurationMs: 200 });
 *   const ec2 = new EC2Client(sdkClientConfig(standin, 'eu-west-1', standin.credentials('111111111111')));
 *   ...
 *   await standin.close();
 *
 * The GitHub runner stand-in (runner/): runs the bundled action under Node 24 as the runner runs a step.
 */
export { startStandIn, type StandIn } from './standin.js';
export { sdkEnv, sdkClientConfig, type SdkEnvOptions } from './sdk-env.js';
export { defaultWorld, addTargetAccount, DEFAULTS, TARGET_EC2_ACTIONS, KMS_COPY_ACTIONS, type TargetAccountOptions } from './default-world.js';
export {
  createWorld,
  WorldBuilder,
  AccountBuilder,
  type WorldConfig,
  type AccountConfig,
  type ImageSpec,
  type SnapshotSpec,
  type KeySpecInput,
  type RoleSpec,
  type UserSpec,
  type GrantConfig,
  type KeyStateName,
  type LaunchTemplateSpec,
  type LaunchTemplateVersionSpec,
  type InstanceStateName,
  type AllowedImagesConfig,
  type AllowedImagesState,
} from './world.js';
export {
  allow,
  deny,
  policyOf,
  githubOidcTrust,
  assumeRoleTrust,
  rootKeyPolicy,
  keyUseStatements,
  statements,
  awsManagedKeyPolicy,
  ADMINISTRATOR_ACCESS,
  GITHUB_OIDC_ISSUER,
  type PolicyDocument,
  type PolicyStatement,
} from './policy-types.js';
export { DEFAULT_COPY_KEY_REQUIREMENTS, type StandInOptions, type StandInSettings, type CopyKeyRequirements } from './settings.js';
export type { FaultOptions } from './faults.js';
export type { OidcOptions, TokenClaims, IssueOptions } from './oidc.js';
export type { CallRecord, CallFilter, ServiceName } from './calllog.js';
export type { ImageDump, SnapshotDump, KeyDump, GrantDump, LaunchTemplateDump, LaunchTemplateVersionDump, InstanceDump } from './dump.js';
export { keyArn } from './arns.js';
export { runStep, runAction, runnerEnvironment, parseFileCommands, CONTEXT_ENV, type StepOptions, type StepResult } from './runner/runner.js';
export { node24, DIST_ENTRY, DIST_POST, runNode24, type ProcessResult } from './runner/node24.js';
export { actionYaml, runnerInputs, setInputs, VALID_INPUTS, JOB_TOKEN } from './runner/inputs-env.js';
export { startGitHubApi, type GitHubApiStandIn, type GitHubApiOptions, type GitHubApiRequest, type RecordedDeployment } from './github-api.js';
