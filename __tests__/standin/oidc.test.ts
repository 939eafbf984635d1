/** The runner token endpoint's failure switch (tokenEndpointStatus). */
import { afterEach, expect, it } from '@jest/globals';
import { defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';

let standin: StandIn;
afterEach(() => standin.close());

function requestToken(): Promise<Response> {
  return fetch(`${standin.oidcRequestUrl}&audience=sts.amazonaws.com`, { headers: { Authorization: `Bearer ${standin.oidcRequestToken}` } });
}

it('answers token requests with the configured status and no token until the switch is cleared', async () => {
  standin = await startStandIn(defaultWorld(), { oidc: { tokenEndpointStatus: 403 } });
  const refused = await requestToken();
  expect(refused.status).toBe(403);
  expect(await refused.json()).toEqual({ message: 'stand-in: the token endpoint is set to fail with 403' });
  standin.configureOidc({ tokenEndpointStatus: 500 });
  expect((await requestToken()).status).toBe(500);
  expect(standin.oidcTokens()).toEqual([]);
  expect(standin.oidcAudiences()).toEqual([]);
  standin.configureOidc({ tokenEndpointStatus: undefined });
  const answered = await requestToken();
  expect(answered.status).toBe(200);
  expect(((await answered.json()) as { value: string }).value).toBe(standin.oidcTokens()[0]);
});
