/**
 * The HTTP front: tells services apart (SigV4 credential scope, X-Amz-Target, or the Action of unsigned
 * STS calls), maps the access key to a caller, applies faults, runs the operation and answers in the
 * service's wire format. Also serves the runner's OIDC token endpoint.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseAuthorization, resolveCaller, type Caller } from './auth/identity.js';
import type { CallLog, ServiceName } from './calllog.js';
import { AwsError, isAwsError } from './errors.js';
import { internalError, throttlingError, type FaultInjector } from './faults.js';
import type { OidcIssuer } from './oidc.js';
import { queryError, querySuccess } from './protocol/aws-query.js';
import { ec2Error, ec2Success } from './protocol/ec2-query.js';
import { jsonError, jsonSuccess, targetOperation } from './protocol/json.js';
import { decodeQuery, findOperation, type OperationSchemas } from './protocol/schema-codec.js';
import type { WireResponse } from './protocol/wire.js';
import type { CallContext } from './services/context.js';
import { isServiceName, JSON_TARGET_PREFIXES, SERVICES, UNSIGNED_OPERATIONS, type ServiceDefinition } from './services/registry.js';
import type { StandInSettings } from './settings.js';
import type { WorldState } from './state.js';

export interface StandInCore {
  state: WorldState;
  settings: StandInSettings;
  log: CallLog;
  faults: FaultInjector;
  oidc: OidcIssuer;
  dump(): unknown;
}

/** Unsigned query calls name their service by API version. */
const QUERY_VERSIONS: Record<string, ServiceName> = { '2016-11-15': 'ec2', '2011-06-15': 'sts', '2010-05-08': 'iam' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, wire: WireResponse): void {
  res.writeHead(wire.status, { ...wire.headers, 'content-length': Buffer.byteLength(wire.body) });
  res.end(wire.body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorResponse(service: ServiceDefinition, error: AwsError, requestId: string): WireResponse {
  if (service.protocol === 'ec2') return ec2Error(error, requestId);
  if (service.protocol === 'query') return queryError(service.namespace ?? '', error, requestId);
  return jsonError(error, requestId);
}

function successResponse(
  service: ServiceDefinition,
  operation: string,
  schemas: OperationSchemas | undefined,
  output: object,
  requestId: string,
): WireResponse {
  if (service.protocol === 'json') return jsonSuccess(output, requestId);
  if (!schemas) throw new Error(`no SDK schema for ${service.name}:${operation}`);
  if (service.protocol === 'ec2') return ec2Success(operation, schemas, output, requestId);
  return querySuccess(service.namespace ?? '', operation, schemas, output, requestId);
}

interface ParsedCall {
  service: ServiceDefinition;
  operation: string;
  region: string;
  input: Record<string, unknown>;
  schemas?: OperationSchemas;
  accessKeyId?: string;
}

function parseCall(core: StandInCore, req: IncomingMessage, body: string): ParsedCall | WireResponse {
  const scope = parseAuthorization(header(req, 'authorization'));
  const target = targetOperation(header(req, 'x-amz-target'));
  let serviceName: ServiceName | undefined;
  let operation = '';
  let params: Map<string, string> | undefined;
  if (target) {
    serviceName = JSON_TARGET_PREFIXES[target.prefix];
    operation = target.operation;
  } else {
    params = new Map(new URLSearchParams(body));
    operation = params.get('Action') ?? '';
    if (!scope) serviceName = UNSIGNED_OPERATIONS.has(operation) ? 'sts' : QUERY_VERSIONS[params.get('Version') ?? ''];
  }
  if (isServiceName(scope?.service)) serviceName = scope.service;
  if (!serviceName) {
    return { status: 400, headers: { 'content-type': 'text/plain' }, body: `stand-in: cannot tell the service of ${req.method} ${req.url}` };
  }
  const service = SERVICES[serviceName];
  const region = scope?.region ?? core.settings.defaultRegion;
  const schemas = findOperation(service.model, operation);
  let input: Record<string, unknown> = {};
  if (schemas && params) input = decodeQuery(schemas.input, params, service.protocol === 'ec2' ? 'ec2' : 'query');
  else if (body.trim()) {
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      input = {};
    }
  }
  return { service, operation, region, input, schemas, accessKeyId: scope?.accessKeyId };
}

async function handleAws(core: StandInCore, req: IncomingMessage, body: string, receivedAt: string): Promise<WireResponse> {
  const parsed = parseCall(core, req, body);
  if ('status' in parsed) return parsed;
  const { service, operation, region, input, schemas } = parsed;
  const requestId = randomUUID();
  core.state.advance();
  const handler = service.operations[operation];
  const ctx: CallContext = {
    service: service.name,
    operation,
    region,
    requestId,
    state: core.state,
    settings: core.settings,
    log: core.log,
    oidc: core.oidc,
    mutated: false,
    notes: {},
  };
  let fault: 'throttle' | 'error' | undefined;
  const record = (outcome: { error?: AwsError; status: number }) =>
    core.log.add({
      time: new Date(core.state.now()).toISOString(),
      receivedAt,
      service: service.name,
      operation,
      region,
      account: ctx.caller?.accountId,
      principal: ctx.caller?.arn,
      accessKeyId: parsed.accessKeyId,
      params: input,
      outcome: outcome.error ? 'error' : 'ok',
      errorCode: outcome.error?.code,
      httpStatus: outcome.status,
      mutation: ctx.mutated,
      internal: false,
      fault,
      notes: Object.keys(ctx.notes).length ? ctx.notes : undefined,
    });
  try {
    if (!handler || (service.protocol !== 'json' && !schemas)) {
      throw new AwsError(service.unknownOperation, `The action ${operation} is not valid for this web service.`, 400);
    }
    if (parsed.accessKeyId) {
      const resolved = resolveCaller(core.state, parsed.accessKeyId, header(req, 'x-amz-security-token'));
      if ('problem' in resolved) {
        const e = resolved.problem === 'expired' ? service.expiredKey : service.unknownKey;
        throw new AwsError(e.code, e.message, e.status);
      }
      ctx.caller = resolved.caller satisfies Caller;
    } else if (!UNSIGNED_OPERATIONS.has(operation)) {
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    }
    const decision = core.faults.decide(service.name, operation);
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    if (decision.fault) {
      fault = decision.fault;
      throw decision.fault === 'throttle' ? throttlingError(service.name) : internalError(service.name);
    }
    const output = await handler(ctx, input);
    record({ status: 200 });
    return successResponse(service, operation, schemas, output, requestId);
  } catch (error) {
    const awsErr = isAwsError(error)
      ? error
      : new AwsError('StandInInternalBug', `stand-in failed in ${operation}: ${(error as Error).stack ?? String(error)}`, 400);
    record({ error: awsErr, status: awsErr.status });
    return errorResponse(service, awsErr, requestId);
  }
}

function handleOidc(core: StandInCore, req: IncomingMessage, url: URL): WireResponse {
  const json = (status: number, value: unknown): WireResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  if (url.pathname.endsWith('/jwks')) return json(200, core.oidc.jwks());
  if (header(req, 'authorization') !== `Bearer ${core.oidc.requestToken}`) return json(401, { message: 'Bad credentials' });
  const refusal = core.oidc.tokenEndpointRefusal();
  if (refusal) return json(refusal.status, { message: refusal.message });
  const audience = url.searchParams.get('audience') ?? undefined;
  core.oidc.requestedAudiences.push(audience ?? '');
  return json(200, { value: core.oidc.issueToken(audience ? { aud: audience } : {}) });
}

export function createStandInServer(core: StandInCore): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        const receivedAt = new Date(core.state.now()).toISOString();
        const body = await readBody(req);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.pathname.startsWith('/_oidc/')) return send(res, handleOidc(core, req, url));
        if (url.pathname === '/_standin/state') {
          core.state.advance();
          return send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(core.dump(), null, 2) });
        }
        send(res, await handleAws(core, req, body, receivedAt));
      } catch (error) {
        send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: `stand-in crashed: ${String(error)}` });
      }
    })();
  });
}
