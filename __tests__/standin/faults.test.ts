/** Fault injection: throttling and server errors the SDK retries through, latency, repeatability, no faults after mutations. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { CreateTagsCommand, DescribeImagesCommand, ModifyImageAttributeCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import type { FaultOptions } from '../../standin/faults.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region, sourceAmiId } = DEFAULTS;
let standin: StandIn;

async function start(faults: FaultOptions, maxAttempts = 1): Promise<Clients> {
  standin = await startStandIn(defaultWorld(), { faults });
  return clientsFor(standin, region, standin.credentials(sourceAccount), maxAttempts);
}

afterEach(() => standin.close());

describe('injected faults', () => {
  it('throttling uses each service’s code and status', async () => {
    const c = await start({ throttleRate: 1 });
    const ec2 = await expectAwsError(c.ec2.send(new DescribeImagesCommand({})), 'RequestLimitExceeded');
    expect(ec2.$metadata.httpStatusCode).toBe(503);
    const kms = await expectAwsError(c.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias })), 'ThrottlingException');
    expect(kms.$metadata.httpStatusCode).toBe(400);
    await expectAwsError(c.sts.send(new GetCallerIdentityCommand({})), 'Throttling');
    expect(standin.calls({ fault: true }).map((r) => [r.service, r.fault, r.errorCode])).toEqual([
      ['ec2', 'throttle', 'RequestLimitExceeded'],
      ['kms', 'throttle', 'ThrottlingException'],
      ['sts', 'throttle', 'Throttling'],
    ]);
  });

  it('server errors are HTTP 500 and change nothing', async () => {
    const c = await start({ errorRate: 1, services: ['ec2'] });
    const error = await expectAwsError(
      c.ec2.send(new ModifyImageAttributeCommand({ ImageId: sourceAmiId, LaunchPermission: { Add: [{ UserId: targetAccount }] } })),
      'InternalError',
    );
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(standin.image(sourceAccount, region, sourceAmiId)?.launchPermissions).toEqual([]);
    expect(standin.mutations()).toEqual([]);
    await c.kms.send(new DescribeKeyCommand({ KeyId: DEFAULTS.sourceKeyAlias }));
  });

  it('the SDK’s standard retries get through a share of throttling and errors; faults never follow a mutation', async () => {
    const c = await start({ seed: 7, throttleRate: 0.15, errorRate: 0.25, services: ['ec2'] }, 8);
    const outputs = [];
    for (let i = 0; i < 8; i++) {
      outputs.push(await c.ec2.send(new CreateTagsCommand({ Resources: [sourceAmiId], Tags: [{ Key: `k${i}`, Value: 'v' }] })));
    }
    expect(outputs.some((o) => (o.$metadata.attempts ?? 1) > 1)).toBe(true);
    const calls = standin.calls({ operation: 'CreateTags' });
    expect(calls.filter((r) => r.fault).length).toBeGreaterThan(0);
    expect(calls.filter((r) => r.fault).every((r) => !r.mutation)).toBe(true);
    expect(standin.mutations({ operation: 'CreateTags' })).toHaveLength(8);
    expect(Object.keys(standin.image(sourceAccount, region, sourceAmiId)?.tags[sourceAccount] ?? {})).toHaveLength(2 + 8);
  });

  it('the same seed gives the same faults', async () => {
    const pattern = async () => {
      const c = await start({ seed: 42, errorRate: 0.5 });
      const results: string[] = [];
      for (let i = 0; i < 12; i++) {
        results.push(await c.sts.send(new GetCallerIdentityCommand({})).then(() => 'ok', (e: Error) => e.name));
      }
      await standin.close();
      return results;
    };
    const first = await pattern();
    expect(first).toContain('ok');
    expect(first).toContain('InternalFailure');
    expect(await pattern()).toEqual(first);
    standin = await startStandIn(defaultWorld());
  });

  it('adds latency, and can be limited to operations and changed at run time', async () => {
    const c = await start({ latencyMs: 80, operations: ['DescribeImages'] });
    let started = Date.now();
    await c.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    started = Date.now();
    await c.sts.send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeLessThan(75);
    const span = (operation: string) => standin.calls({ operation }).map((call) => Date.parse(call.time) - Date.parse(call.receivedAt))[0];
    expect(span('DescribeImages')).toBeGreaterThanOrEqual(75);
    expect(span('GetCallerIdentity')).toBeLessThan(75);
    standin.setFaults({ throttleRate: 1, operations: ['GetCallerIdentity'] });
    await expectAwsError(c.sts.send(new GetCallerIdentityCommand({})), 'Throttling');
    standin.setFaults({});
    await c.sts.send(new GetCallerIdentityCommand({}));
  });
});
