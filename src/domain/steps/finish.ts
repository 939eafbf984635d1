import { ssmParameterArn } from '../../aws/arn.js';
import { EnableImageDeprecationCommand, EnableImageDeregistrationProtectionCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { call } from '../../aws/explain.js';
import { siteOf, type TargetContext } from '../context.js';

export interface FinishedImage {
  region: string;
  imageId: string;
}

export interface FinishReport {
  deprecateAt?: Date;
  protectedImages: string[];
  ssmParameters: string[];
}

const DAY_MS = 86_400_000;

/** Deregistration protection, deprecation time and the SSM parameter, when asked for. */
export async function finishImages(ctx: TargetContext, images: FinishedImage[]): Promise<FinishReport> {
  const { request } = ctx;
  const targetIdentity = ctx.target.identity;
  const report: FinishReport = { protectedImages: [], ssmParameters: [] };
  if (request.deprecateAfterDays !== undefined) {
    report.deprecateAt = new Date(Math.ceil((ctx.clock.now() + request.deprecateAfterDays * DAY_MS) / 60_000) * 60_000);
  }
  await Promise.all(
    images.map(async ({ region, imageId }) => {
      const site = siteOf(ctx.target, region);
      const ec2 = ctx.target.ec2(region);
      if (request.deregistrationProtection) {
        await call({ ...site, what: `Protecting ${imageId} from deregistration`, action: 'ec2:EnableImageDeregistrationProtection' }, () =>
          ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId })),
        );
        report.protectedImages.push(imageId);
      }
      if (report.deprecateAt) {
        const deprecateAt = report.deprecateAt;
        await call({ ...site, what: `Setting the deprecation time of ${imageId}`, action: 'ec2:EnableImageDeprecation' }, () =>
          ec2.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: deprecateAt })),
        );
      }
      if (request.ssmParameter) {
        const name = request.ssmParameter;
        const arn = ssmParameterArn(ctx.target.spec.role.partition, region, targetIdentity.accountId, name);
        await call({ ...site, what: `Writing ${imageId} to the SSM parameter ${name}`, action: 'ssm:PutParameter', resource: arn }, () =>
          ctx.target.ssm(region).send(new PutParameterCommand({ Name: name, Value: imageId, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true })),
        );
        report.ssmParameters.push(`${region}:${name}`);
      }
    }),
  );
  return report;
}
