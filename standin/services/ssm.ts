/** SSM parameters (AmazonSSM.*): PutParameter, GetParameter, DeleteParameter. */
import type {
  DeleteParameterRequest,
  GetParameterRequest,
  GetParameterResult,
  PutParameterRequest,
  PutParameterResult,
} from '@aws-sdk/client-ssm';
import { authorizeApi } from '../auth/access.js';
import { parameterArn } from '../arns.js';
import { awsError } from '../errors.js';
import { callerOf, op, required, type CallContext, type Handler } from './context.js';

const NAME = /^\/?[a-zA-Z0-9_.\-/]{1,2011}$/;

function parameterKey(ctx: CallContext, name: string): string {
  return `${callerOf(ctx).accountId}/${ctx.region}/${name}`;
}

async function putParameter(ctx: CallContext, input: PutParameterRequest): Promise<PutParameterResult> {
  const caller = callerOf(ctx);
  const name = required(input.Name, 'Name', 'ValidationException');
  const value = required(input.Value, 'Value', 'ValidationException');
  await authorizeApi(caller, 'ssm:PutParameter', parameterArn(caller.accountId, ctx.region, name), ctx.region, 'AccessDeniedException');
  if (!NAME.test(name)) throw awsError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  const dataType = input.DataType ?? 'text';
  if (dataType !== 'text' && dataType !== 'aws:ec2:image' && dataType !== 'aws:ssm:integration') {
    throw awsError('ValidationException', `The following data type is not supported: ${dataType}`);
  }
  if (dataType === 'aws:ec2:image' && !/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(value)) {
    throw awsError('ValidationException', `Parameter value, ${value}, is not a valid AMI ID.`);
  }
  const key = parameterKey(ctx, name);
  const existing = ctx.state.parameters.get(key);
  if (existing && !input.Overwrite) {
    throw awsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  }
  const version = (existing?.version ?? 0) + 1;
  ctx.state.parameters.set(key, {
    name,
    accountId: caller.accountId,
    region: ctx.region,
    value,
    type: input.Type ?? existing?.type ?? 'String',
    dataType,
    version,
    lastModifiedDate: new Date(ctx.state.now()),
    lastModifiedBy: caller.arn,
  });
  ctx.mutated = true;
  return { Version: version, Tier: 'Standard' };
}

async function getParameter(ctx: CallContext, input: GetParameterRequest): Promise<GetParameterResult> {
  const caller = callerOf(ctx);
  const name = required(input.Name, 'Name', 'ValidationException');
  await authorizeApi(caller, 'ssm:GetParameter', parameterArn(caller.accountId, ctx.region, name), ctx.region, 'AccessDeniedException');
  const parameter = ctx.state.parameters.get(parameterKey(ctx, name));
  if (!parameter) throw awsError('ParameterNotFound', `Parameter ${name} not found.`);
  return {
    Parameter: {
      Name: parameter.name,
      Type: parameter.type as 'String',
      Value: parameter.value,
      Version: parameter.version,
      LastModifiedDate: parameter.lastModifiedDate,
      ARN: parameterArn(parameter.accountId, parameter.region, parameter.name),
      DataType: parameter.dataType,
    },
  };
}

async function deleteParameter(ctx: CallContext, input: DeleteParameterRequest): Promise<object> {
  const caller = callerOf(ctx);
  const name = required(input.Name, 'Name', 'ValidationException');
  await authorizeApi(caller, 'ssm:DeleteParameter', parameterArn(caller.accountId, ctx.region, name), ctx.region, 'AccessDeniedException');
  if (!ctx.state.parameters.delete(parameterKey(ctx, name))) throw awsError('ParameterNotFound', `Parameter ${name} not found.`);
  ctx.mutated = true;
  return {};
}

export const ssmOperations: Record<string, Handler> = {
  PutParameter: op(putParameter),
  GetParameter: op(getParameter),
  DeleteParameter: op(deleteParameter),
};
