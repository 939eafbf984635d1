import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { AccountClients } from '../../src/aws/clients.js';

/** One command as sent: [account name, command name without "Command", input]. */
export type SentCommand = [string, string, unknown];

/**
 * One fake AWS account: a distinct EC2 and KMS client per region, each with its own aws-sdk-client-mock, so a test
 * can tell which account's credentials (and which region) a call used. Any other region or service throws.
 */
export interface FakeAccount {
  clients: AccountClients;
  ec2(region: string): AwsClientStub<EC2Client>;
  kms(region: string): AwsClientStub<KMSClient>;
}

/** Records, in order, every command sent through the fake accounts sharing it. */
export class CommandLog {
  readonly sent: SentCommand[] = [];
  /** Commands of one account, as [command, input]. */
  of(account: string): [string, unknown][] {
    return this.sent.filter(([name]) => name === account).map(([, command, input]) => [command, input]);
  }
  /** Command names only, as "account Command". */
  names(): string[] {
    return this.sent.map(([account, command]) => `${account} ${command}`);
  }
}

/** Logs each command, then hands it to the mocked send. */
function record(client: EC2Client | KMSClient, account: string, log: CommandLog): void {
  const stubbed = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = (command) => {
    const { constructor, input } = command as { constructor: { name: string }; input: unknown };
    log.sent.push([account, constructor.name.replace(/Command$/, ''), input]);
    return stubbed(command);
  };
}

export function fakeAccount(name: string, regions: readonly string[], log: CommandLog): FakeAccount {
  const credentials = { accessKeyId: `AKID-${name}`, secretAccessKey: `secret-${name}` };
  const ec2 = new Map(regions.map((region) => [region, new EC2Client({ region, credentials })]));
  const kms = new Map(regions.map((region) => [region, new KMSClient({ region, credentials })]));
  const ec2Mocks = new Map([...ec2].map(([region, client]) => [region, mockClient(client)]));
  const kmsMocks = new Map([...kms].map(([region, client]) => [region, mockClient(client)]));
  for (const client of [...ec2.values(), ...kms.values()]) record(client, name, log);
  const pick = <T>(map: Map<string, T>, service: string, region: string): T => {
    const found = map.get(region);
    if (!found) throw new Error(`unexpected ${service} client for ${name} in ${region}`);
    return found;
  };
  const unexpected = (service: string) => (region: string) => {
    throw new Error(`unexpected ${service} client for ${name} in ${region}`);
  };
  return {
    clients: {
      ec2: (region) => pick(ec2, 'EC2', region),
      kms: (region) => pick(kms, 'KMS', region),
      ssm: unexpected('SSM'),
      sts: unexpected('STS'),
      iam: unexpected('IAM'),
    },
    ec2: (region) => pick(ec2Mocks, 'EC2 mock', region),
    kms: (region) => pick(kmsMocks, 'KMS mock', region),
  };
}

/** An AWS service error as the SDK throws it. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
