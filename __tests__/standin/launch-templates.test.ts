/** Launch templates: describe, versions (inheritance, ClientToken, filters), default version, IAM and ownership. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { launchTemplateArn } from '../../standin/arns.js';
import { DEFAULTS, defaultWorld } from '../../standin/default-world.js';
import { startStandIn, type StandIn } from '../../standin/standin.js';
import { assumeRole, clientsFor, expectAwsError, type Clients } from './test-helpers.js';

const { sourceAccount, targetAccount, region } = DEFAULTS;
const TEMPLATE_ID = 'lt-0123456789abcdef0';
const OLD_AMI = 'ami-0aaaaaaaaaaaaaaa1';
const NEW_AMI = 'ami-0bbbbbbbbbbbbbbb2';

let standin: StandIn;
let admin: Clients;

beforeEach(async () => {
  const world = defaultWorld();
  world
    .account(targetAccount)
    .parameter(region, '/golden/ami', NEW_AMI, 'aws:ec2:image')
    .launchTemplate(region, {
      launchTemplateId: TEMPLATE_ID,
      name: 'web',
      versions: [
        { imageId: OLD_AMI, instanceType: 't3.micro', description: 'first', data: { KeyName: 'ops' } },
        { imageId: 'resolve:ssm:/golden/ami', instanceType: 't3.large' },
      ],
      defaultVersion: 1,
    });
  standin = await startStandIn(world);
  admin = clientsFor(standin, region, standin.credentials(targetAccount));
});

afterEach(() => standin.close());

describe('DescribeLaunchTemplates', () => {
  it('finds a template by ID or name, with its default and latest version numbers', async () => {
    const byName = await admin.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web'] }));
    expect(byName.LaunchTemplates).toEqual([
      expect.objectContaining({ LaunchTemplateId: TEMPLATE_ID, LaunchTemplateName: 'web', DefaultVersionNumber: 1, LatestVersionNumber: 2 }),
    ]);
    expect(byName.LaunchTemplates?.[0]?.CreateTime).toBeInstanceOf(Date);
    const byId = await admin.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [TEMPLATE_ID] }));
    expect(byId.LaunchTemplates?.map((t) => t.LaunchTemplateName)).toEqual(['web']);
  });

  it('answers each missing template with its own error code', async () => {
    await expectAwsError(admin.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })), 'InvalidLaunchTemplateName.NotFoundException');
    await expectAwsError(admin.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-0fffffffffffffff0'] })), 'InvalidLaunchTemplateId.NotFound');
    await expectAwsError(admin.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-xyz'] })), 'InvalidLaunchTemplateId.Malformed');
  });

  it("hides an account's templates from other accounts", async () => {
    const other = clientsFor(standin, region, standin.credentials(sourceAccount));
    await expectAwsError(other.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [TEMPLATE_ID] })), 'InvalidLaunchTemplateId.NotFound');
    expect((await other.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates).toEqual([]);
  });
});

describe('DescribeLaunchTemplateVersions', () => {
  const versions = async (input: Omit<ConstructorParameters<typeof DescribeLaunchTemplateVersionsCommand>[0], 'LaunchTemplateId'>) =>
    (await admin.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: TEMPLATE_ID, ...input }))).LaunchTemplateVersions ?? [];

  it('answers $Default and $Latest with their data and the DefaultVersion flag', async () => {
    const [first] = await versions({ Versions: ['$Default'] });
    expect(first).toMatchObject({
      VersionNumber: 1,
      VersionDescription: 'first',
      DefaultVersion: true,
      LaunchTemplateData: { ImageId: OLD_AMI, InstanceType: 't3.micro', KeyName: 'ops' },
    });
    const [last] = await versions({ Versions: ['$Latest'] });
    expect(last).toMatchObject({ VersionNumber: 2, DefaultVersion: false, LaunchTemplateData: { ImageId: 'resolve:ssm:/golden/ami' } });
  });

  it('resolves resolve:ssm: image IDs with ResolveAlias', async () => {
    const [last] = await versions({ Versions: ['2'], ResolveAlias: true });
    expect(last?.LaunchTemplateData?.ImageId).toBe(NEW_AMI);
  });

  it('filters by image-id and is-default-version, and bounds by MinVersion / MaxVersion', async () => {
    expect((await versions({ Filters: [{ Name: 'image-id', Values: [OLD_AMI] }] })).map((v) => v.VersionNumber)).toEqual([1]);
    expect((await versions({ Filters: [{ Name: 'is-default-version', Values: ['false'] }] })).map((v) => v.VersionNumber)).toEqual([2]);
    expect((await versions({ MinVersion: '2' })).map((v) => v.VersionNumber)).toEqual([2]);
    expect((await versions({ MaxVersion: '1' })).map((v) => v.VersionNumber)).toEqual([1]);
  });

  it('answers an unknown version with InvalidLaunchTemplateId.VersionNotFound', async () => {
    await expectAwsError(versions({ Versions: ['7'] }), 'InvalidLaunchTemplateId.VersionNotFound');
  });
});

describe('CreateLaunchTemplateVersion', () => {
  it('inherits the source version and overrides only the fields given', async () => {
    const created = await admin.ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'web', SourceVersion: '1', VersionDescription: 'promoted', LaunchTemplateData: { ImageId: NEW_AMI } }),
    );
    expect(created.LaunchTemplateVersion).toMatchObject({
      LaunchTemplateId: TEMPLATE_ID,
      VersionNumber: 3,
      VersionDescription: 'promoted',
      DefaultVersion: false,
      LaunchTemplateData: { ImageId: NEW_AMI, InstanceType: 't3.micro', KeyName: 'ops' },
    });
    expect(standin.launchTemplate(targetAccount, region, 'web')).toMatchObject({ latestVersion: 3, defaultVersion: 1 });
  });

  it('without SourceVersion holds only the data given', async () => {
    const created = await admin.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: TEMPLATE_ID, LaunchTemplateData: { ImageId: NEW_AMI } }));
    expect(created.LaunchTemplateVersion?.LaunchTemplateData).toEqual({ ImageId: NEW_AMI });
  });

  it('answers the same version for the same ClientToken and parameters, and refuses other parameters', async () => {
    const input = { LaunchTemplateId: TEMPLATE_ID, SourceVersion: '$Default', ClientToken: 'run-42', LaunchTemplateData: { ImageId: NEW_AMI } };
    const first = await admin.ec2.send(new CreateLaunchTemplateVersionCommand(input));
    const again = await admin.ec2.send(new CreateLaunchTemplateVersionCommand(input));
    expect(again.LaunchTemplateVersion?.VersionNumber).toBe(first.LaunchTemplateVersion?.VersionNumber);
    expect(standin.launchTemplate(targetAccount, region, TEMPLATE_ID)?.versions).toHaveLength(3);
    await expectAwsError(
      admin.ec2.send(new CreateLaunchTemplateVersionCommand({ ...input, LaunchTemplateData: { ImageId: OLD_AMI } })),
      'IdempotentParameterMismatch',
    );
  });

  it('refuses a description longer than 255 characters and an unknown source version', async () => {
    const data = { ImageId: NEW_AMI };
    await expectAwsError(
      admin.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: TEMPLATE_ID, VersionDescription: 'x'.repeat(256), LaunchTemplateData: data })),
      'InvalidParameterValue',
    );
    await expectAwsError(
      admin.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: TEMPLATE_ID, SourceVersion: '9', LaunchTemplateData: data })),
      'InvalidLaunchTemplateId.VersionNotFound',
    );
    expect(standin.launchTemplate(targetAccount, region, TEMPLATE_ID)?.latestVersion).toBe(2);
  });

  it('is UnauthorizedOperation without ec2:CreateLaunchTemplateVersion on the template ARN', async () => {
    const role = clientsFor(standin, region, await assumeRole(standin));
    const error = await expectAwsError(
      role.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: TEMPLATE_ID, LaunchTemplateData: { ImageId: NEW_AMI } })),
      'UnauthorizedOperation',
    );
    expect(error.message).toContain(launchTemplateArn(targetAccount, region, TEMPLATE_ID));
    expect(standin.mutations()).toEqual([]);
  });
});

describe('ModifyLaunchTemplate', () => {
  it('makes an existing version the default', async () => {
    const modified = await admin.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'web', DefaultVersion: '2' }));
    expect(modified.LaunchTemplate).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 2 });
    expect(standin.launchTemplate(targetAccount, region, 'web')?.versions.map((v) => v.default)).toEqual([false, true]);
  });

  it('refuses a version that does not exist', async () => {
    await expectAwsError(admin.ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: TEMPLATE_ID, DefaultVersion: '5' })), 'InvalidLaunchTemplateId.VersionNotFound');
  });
});
