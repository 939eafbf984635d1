/** startStandIn: the local AWS stand-in on 127.0.0.1, and the helpers tests use to inspect and steer it. */
import type { AddressInfo } from 'node:net';
import { organizationPath } from './arns.js';
import { CallLog, type CallFilter, type CallRecord } from './calllog.js';
import {
  grantDump,
  imageDump,
  keyDump,
  launchTemplateDump,
  snapshotDump,
  stateDump,
  type GrantDump,
  type ImageDump,
  type KeyDump,
  type LaunchTemplateDump,
  type SnapshotDump,
} from './dump.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { OidcIssuer, type IssueOptions, type OidcOptions, type TokenClaims } from './oidc.js';
import type { PolicyDocument } from './policy-types.js';
import { createStandInServer, type StandInCore } from './server.js';
import { resolveSettings, type StandInOptions, type StandInSettings } from './settings.js';
import { Clock, WorldState, type ParameterState } from './state.js';
import { worldConfigOf, type AllowedImagesConfig, type KeyStateName, type WorldInput } from './world.js';

export interface StandIn {
  /** Base URL for the SDK (endpoint option / AWS_ENDPOINT_URL). */
  url: string;
  port: number;
  /** ACTIONS_ID_TOKEN_REQUEST_URL: already carries a query string, like the runner's. */
  oidcRequestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  oidcRequestToken: string;
  /** The live state (escape hatch for unusual tweaks). */
  state: WorldState;
  /** The live settings; change them with configure(). */
  settings: Readonly<StandInSettings>;

  calls(filter?: CallFilter): CallRecord[];
  /** Calls that changed state (successful unless filtered otherwise). */
  mutations(filter?: CallFilter): CallRecord[];
  clearCalls(): void;
  dump(): ReturnType<typeof stateDump>;

  image(account: string, region: string, imageId: string): ImageDump | undefined;
  images(account: string, region: string): ImageDump[];
  snapshot(account: string, region: string, snapshotId: string): SnapshotDump | undefined;
  snapshots(account: string, region: string): SnapshotDump[];
  key(account: string, region: string, ref: string): KeyDump | undefined;
  grants(account: string, region: string, keyRef: string): GrantDump[];
  parameter(account: string, region: string, name: string): ParameterState | undefined;
  /** True when the image or any of its snapshots is public. */
  isPublic(account: string, region: string, imageId: string): boolean;
  /** Accounts the image (launch permission) and each snapshot (createVolumePermission) are shared with. */
  sharedWith(account: string, region: string, imageId: string): { image: string[]; snapshots: Record<string, string[]> };
  /** A launch template of the account and region, by ID or name, with its versions. */
  launchTemplate(account: string, region: string, idOrName: string): LaunchTemplateDump | undefined;
  /** The Allowed AMIs settings of an account and region (undefined: never set, i.e. disabled). */
  allowedImages(account: string, region: string): AllowedImagesConfig | undefined;
  /** Sets (or with undefined clears) the Allowed AMIs settings of an account and region. */
  setAllowedImages(account: string, region: string, settings: AllowedImagesConfig | undefined): void;
  /** Locks or unlocks a snapshot (EBS Snapshot Lock). */
  setSnapshotLocked(account: string, region: string, snapshotId: string, locked: boolean): void;
  /** Sets an image's LastLaunchedTime (ISO). */
  setLastLaunchedTime(account: string, region: string, imageId: string, time: string | undefined): void;

  issueToken(claims?: TokenClaims, options?: IssueOptions): string;
  oidcAudiences(): string[];
  /** Every OIDC token the issuer signed (runner endpoint and issueToken), in order. */
  oidcTokens(): string[];
  configureOidc(options: OidcOptions): void;
  configure(settings: Partial<StandInSettings>): void;
  setFaults(options: FaultOptions): void;
  /** Moves the stand-in's clock (copies, credential and token expiry) forward. */
  advanceTime(ms: number): void;
  now(): number;

  setKeyState(account: string, region: string, ref: string, state: KeyStateName): void;
  setKeyPolicy(account: string, region: string, ref: string, policy: PolicyDocument): void;
  setRolePolicy(account: string, role: string, policyName: string, policy: PolicyDocument | undefined): void;
  setOidcClientIds(account: string, clientIds: string[]): void;
  /** Moves an account into an organization (under the OUs given, outermost first), or out of any with undefined. */
  setOrganization(account: string, organizationArn: string | undefined, ous?: string[]): void;
  /** Static access key of a world user, for explicit SDK credentials. */
  credentials(account: string, userName?: string): { accessKeyId: string; secretAccessKey: string };

  close(): Promise<void>;
}

export async function startStandIn(world: WorldInput, options: StandInOptions = {}): Promise<StandIn> {
  const clock = new Clock();
  const state = new WorldState(worldConfigOf(world), clock);
  const settings = resolveSettings(options);
  const log = new CallLog();
  const faults = new FaultInjector(options.faults);
  const oidc = new OidcIssuer(options.oidc ?? {}, () => clock.now());
  const core: StandInCore = { state, settings, log, faults, oidc, dump: () => stateDump(state) };
  const server = createStandInServer(core);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const mustKey = (account: string, region: string, ref: string) => {
    const key = state.resolveKey(account, region, ref);
    if (!key) throw new Error(`stand-in: no key ${ref} in ${account}/${region}`);
    return key;
  };
  const image = (account: string, region: string, imageId: string) => {
    state.advance();
    const found = state.images.get(imageId);
    return found && found.ownerId === account && found.region === region ? found : undefined;
  };

  return {
    url,
    port,
    oidcRequestUrl: `${url}/_oidc/token?api-version=2.0`,
    oidcRequestToken: oidc.requestToken,
    state,
    settings,

    calls: (filter) => log.query(filter),
    mutations: (filter = {}) => log.query({ outcome: 'ok', ...filter, mutation: true }),
    clearCalls: () => log.clear(),
    dump: () => stateDump(state),

    image: (account, region, imageId) => {
      const found = image(account, region, imageId);
      return found && imageDump(found);
    },
    images: (account, region) => {
      state.advance();
      return [...state.images.values()].filter((i) => i.ownerId === account && i.region === region).map(imageDump);
    },
    snapshot: (account, region, snapshotId) => {
      state.advance();
      const s = state.snapshots.get(snapshotId);
      return s && s.ownerId === account && s.region === region ? snapshotDump(state, s) : undefined;
    },
    snapshots: (account, region) => {
      state.advance();
      return [...state.snapshots.values()].filter((s) => s.ownerId === account && s.region === region).map((s) => snapshotDump(state, s));
    },
    key: (account, region, ref) => {
      const key = state.resolveKey(account, region, ref);
      return key && keyDump(state, key);
    },
    grants: (account, region, keyRef) => state.grantsOf(mustKey(account, region, keyRef)).map(grantDump),
    parameter: (account, region, name) => {
      const p = state.parameters.get(`${account}/${region}/${name}`);
      return p && { ...p };
    },
    isPublic: (account, region, imageId) => {
      const found = image(account, region, imageId);
      if (!found) throw new Error(`stand-in: no image ${imageId} in ${account}/${region}`);
      return (
        found.launchPublic !== undefined ||
        found.blockDevices.some((d) => state.snapshots.get(d.snapshotId)?.createVolumePublic !== undefined)
      );
    },
    sharedWith: (account, region, imageId) => {
      const found = image(account, region, imageId);
      if (!found) throw new Error(`stand-in: no image ${imageId} in ${account}/${region}`);
      return {
        image: [...found.launchUserIds.keys()],
        snapshots: Object.fromEntries(
          found.blockDevices.map((d) => [d.snapshotId, [...(state.snapshots.get(d.snapshotId)?.createVolumeUserIds.keys() ?? [])]]),
        ),
      };
    },

    launchTemplate: (account, region, idOrName) => {
      const found = [...state.launchTemplates.values()].find(
        (t) => t.accountId === account && t.region === region && (t.launchTemplateId === idOrName || t.name === idOrName),
      );
      return found && launchTemplateDump(found);
    },
    allowedImages: (account, region) => {
      const settings = state.settings(account, region).allowedImages;
      return settings && structuredClone(settings);
    },
    setAllowedImages: (account, region, allowed) => {
      state.settings(account, region).allowedImages = allowed && structuredClone(allowed);
    },
    setSnapshotLocked: (account, region, snapshotId, locked) => {
      const found = state.snapshots.get(snapshotId);
      if (!found || found.ownerId !== account || found.region !== region) throw new Error(`stand-in: no snapshot ${snapshotId} in ${account}/${region}`);
      found.locked = locked;
    },
    setLastLaunchedTime: (account, region, imageId, time) => {
      const found = image(account, region, imageId);
      if (!found) throw new Error(`stand-in: no image ${imageId} in ${account}/${region}`);
      found.lastLaunchedTime = time;
    },

    issueToken: (claims, issueOptions) => oidc.issueToken(claims, issueOptions),
    oidcAudiences: () => [...oidc.requestedAudiences],
    oidcTokens: () => [...oidc.issuedTokens],
    configureOidc: (oidcOptions) => oidc.configure(oidcOptions),
    configure: (change) => Object.assign(settings, change),
    setFaults: (faultOptions) => faults.configure(faultOptions),
    advanceTime: (ms) => {
      clock.advance(ms);
      state.advance();
    },
    now: () => clock.now(),

    setKeyState: (account, region, ref, keyState) => {
      mustKey(account, region, ref).state = keyState;
    },
    setKeyPolicy: (account, region, ref, policy) => {
      mustKey(account, region, ref).policy = policy;
    },
    setRolePolicy: (account, roleName, policyName, policy) => {
      const role = state.account(account)?.roles.get(roleName);
      if (!role) throw new Error(`stand-in: no role ${roleName} in ${account}`);
      if (policy) role.policies[policyName] = policy;
      else delete role.policies[policyName];
    },
    setOidcClientIds: (account, clientIds) => {
      const provider = state.account(account)?.oidcProviders[0];
      if (!provider) throw new Error(`stand-in: no OIDC provider in ${account}`);
      provider.clientIds = [...clientIds];
    },
    setOrganization: (account, organizationArn, ous = []) => {
      const found = state.account(account);
      if (!found) throw new Error(`stand-in: no account ${account}`);
      found.organizationArn = organizationArn;
      found.organizationPath = organizationArn === undefined ? undefined : organizationPath(organizationArn, ous);
    },
    credentials: (account, userName) => {
      const found = [...state.staticKeys.values()].find((k) => k.accountId === account && (!userName || k.userName === userName));
      if (!found) throw new Error(`stand-in: no access key for ${userName ?? 'any user'} in ${account}`);
      return { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey };
    },

    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
