/**
 * A local stand-in of the GitHub REST endpoints the action calls to record a deployment, on 127.0.0.1:
 * POST /repos/{owner}/{repo}/deployments (201 with the deployment) and
 * POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses (201 with the status; 404 for an unknown deployment),
 * as https://docs.github.com/en/rest/deployments/deployments and https://docs.github.com/en/rest/deployments/statuses
 * describe them. It records every request (with its Authorization header) and can refuse them all like a token
 * without deployments: write (403 "Resource not accessible by integration") or answer slowly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubApiRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization?: string;
  /** When it arrived (epoch ms). */
  at: number;
}

export interface GitHubApiOptions {
  /** Answer every request with this HTTP status and GitHub's error body (403: the token lacks deployments: write). */
  failWith?: number;
}

export interface RecordedDeployment {
  id: number;
  owner: string;
  repo: string;
  body: Record<string, unknown>;
  /** The bodies of its statuses, in the order they were created. */
  statuses: Record<string, unknown>[];
}

export interface GitHubApiStandIn {
  /** For GITHUB_API_URL. */
  url: string;
  requests(): GitHubApiRequest[];
  deployments(): RecordedDeployment[];
  configure(options: GitHubApiOptions): void;
  /** Forgets the requests and deployments. */
  reset(): void;
  close(): Promise<void>;
}

const ERROR_MESSAGES: Record<number, string> = {
  401: 'Requires authentication',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  500: 'Server Error',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const failure = (status: number) => ({ message: ERROR_MESSAGES[status] ?? 'Error', documentation_url: 'https://docs.github.com/rest/deployments', status: String(status) });

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

export async function startGitHubApi(initial: GitHubApiOptions = {}): Promise<GitHubApiStandIn> {
  let options = { ...initial };
  let requests: GitHubApiRequest[] = [];
  let deployments: RecordedDeployment[] = [];
  let nextId = 1000;

  const route = (request: GitHubApiRequest): [number, unknown] => {
    if (!request.authorization) return [401, failure(401)];
    if (options.failWith) return [options.failWith, failure(options.failWith)];
    const created = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/.exec(request.path);
    if (request.method === 'POST' && created) {
      const deployment = { id: nextId++, owner: created[1] as string, repo: created[2] as string, body: request.body, statuses: [] };
      deployments.push(deployment);
      return [201, { id: deployment.id, sha: request.body.ref, ref: request.body.ref, ...request.body }];
    }
    const status = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(request.path);
    const deployment = status && deployments.find((d) => d.id === Number(status[3]) && d.owner === status[1] && d.repo === status[2]);
    if (request.method === 'POST' && deployment) {
      deployment.statuses.push(request.body);
      return [201, { id: deployment.statuses.length, ...request.body }];
    }
    return [404, failure(404)];
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const request = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', body, authorization: req.headers.authorization, at: Date.now() };
        requests.push(request);
        const [code, answer] = route(request);
        send(res, code, answer);
      })
      .catch(() => send(res, 400, { message: 'Problems parsing JSON' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    deployments: () => deployments,
    configure: (next) => (options = { ...next }),
    reset: () => {
      requests = [];
      deployments = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
