/**
 * Launch templates of the fixture's target account, mocked as DescribeLaunchTemplates and
 * DescribeLaunchTemplateVersions answer (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html).
 */
import { createHash } from 'node:crypto';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  type DescribeLaunchTemplateVersionsRequest,
  type ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { Fixture } from './pipeline-fixtures.js';

/** The AMI of the templates' default versions before the promotion. */
export const OLD_AMI = 'ami-0000000000000old1';

export interface TemplateShape {
  name: string;
  defaultVersion?: number;
  latestVersion?: number;
  /** The launch parameters of the default version. */
  defaultData?: ResponseLaunchTemplateData;
  /** Versions whose ImageId is an AMI, as the image-id filter finds them. */
  imageVersions?: { version: number; imageId: string }[];
}

/** The template's ID in one region: IDs differ from region to region. */
export function templateId(name: string, region: string): string {
  return `lt-0${createHash('sha256').update(`${name} ${region}`).digest('hex').slice(0, 16)}`;
}

/** Mocks one template in one region, found by its name and by its ID; new versions get the number after the latest. */
export function stubTemplate(fx: Fixture, region: string, shape: TemplateShape): string {
  const id = templateId(shape.name, region);
  const defaultVersion = shape.defaultVersion ?? 1;
  const latestVersion = shape.latestVersion ?? defaultVersion;
  const ec2 = fx.target.ec2(region);
  const template = { LaunchTemplateId: id, LaunchTemplateName: shape.name, DefaultVersionNumber: defaultVersion, LatestVersionNumber: latestVersion };
  ec2.on(DescribeLaunchTemplatesCommand, { LaunchTemplateNames: [shape.name] }).resolves({ LaunchTemplates: [template] });
  ec2.on(DescribeLaunchTemplatesCommand, { LaunchTemplateIds: [id] }).resolves({ LaunchTemplates: [template] });
  const defaultData = shape.defaultData ?? { ImageId: OLD_AMI, InstanceType: 't3.micro' };
  ec2.on(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: id }).callsFake((input: DescribeLaunchTemplateVersionsRequest) => {
    if (input.Versions) {
      return { LaunchTemplateVersions: [{ LaunchTemplateId: id, VersionNumber: defaultVersion, DefaultVersion: true, LaunchTemplateData: defaultData }] };
    }
    const wanted = input.Filters?.find((f) => f.Name === 'image-id')?.Values ?? [];
    const versions = (shape.imageVersions ?? []).filter((v) => wanted.includes(v.imageId));
    return {
      LaunchTemplateVersions: versions.map((v) => ({ LaunchTemplateId: id, VersionNumber: v.version, DefaultVersion: v.version === defaultVersion, LaunchTemplateData: { ImageId: v.imageId } })),
    };
  });
  ec2.on(CreateLaunchTemplateVersionCommand, { LaunchTemplateId: id }).resolves({ LaunchTemplateVersion: { LaunchTemplateId: id, VersionNumber: latestVersion + 1 } });
  ec2.on(ModifyLaunchTemplateCommand, { LaunchTemplateId: id }).resolves({ LaunchTemplate: template });
  return id;
}
