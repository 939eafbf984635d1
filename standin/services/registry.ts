/** The services the stand-in speaks: protocol, SDK model, operations and credential errors of each. */
import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import * as KMS from '@aws-sdk/client-kms';
import * as SSM from '@aws-sdk/client-ssm';
import * as STS from '@aws-sdk/client-sts';
import type { ServiceName } from '../calllog.js';
import { IAM_NAMESPACE, STS_NAMESPACE } from '../protocol/aws-query.js';
import type { Handler } from './context.js';
import { ec2Operations } from './ec2.js';
import { iamOperations } from './iam.js';
import { kmsOperations } from './kms.js';
import { ssmOperations } from './ssm.js';
import { stsOperations } from './sts.js';

export interface ServiceDefinition {
  name: ServiceName;
  protocol: 'ec2' | 'query' | 'json';
  /** The SDK client module whose `Operation$` schemas describe the wire format. */
  model: object;
  namespace?: string;
  operations: Record<string, Handler>;
  unknownKey: { code: string; status: number; message: string };
  expiredKey: { code: string; status: number; message: string };
  unknownOperation: string;
}

const INVALID = 'The security token included in the request is invalid.';
const EXPIRED = 'The security token included in the request is expired';

export const SERVICES: Record<ServiceName, ServiceDefinition> = {
  ec2: {
    name: 'ec2',
    protocol: 'ec2',
    model: EC2,
    operations: ec2Operations,
    unknownKey: { code: 'AuthFailure', status: 401, message: 'AWS was not able to validate the provided access credentials' },
    expiredKey: { code: 'ExpiredToken', status: 400, message: EXPIRED },
    unknownOperation: 'InvalidAction',
  },
  kms: {
    name: 'kms',
    protocol: 'json',
    model: KMS,
    operations: kmsOperations,
    unknownKey: { code: 'UnrecognizedClientException', status: 400, message: INVALID },
    expiredKey: { code: 'ExpiredTokenException', status: 400, message: EXPIRED },
    unknownOperation: 'UnknownOperationException',
  },
  ssm: {
    name: 'ssm',
    protocol: 'json',
    model: SSM,
    operations: ssmOperations,
    unknownKey: { code: 'UnrecognizedClientException', status: 400, message: INVALID },
    expiredKey: { code: 'ExpiredTokenException', status: 400, message: EXPIRED },
    unknownOperation: 'UnknownOperationException',
  },
  sts: {
    name: 'sts',
    protocol: 'query',
    model: STS,
    namespace: STS_NAMESPACE,
    operations: stsOperations,
    unknownKey: { code: 'InvalidClientTokenId', status: 403, message: INVALID },
    expiredKey: { code: 'ExpiredToken', status: 400, message: EXPIRED },
    unknownOperation: 'InvalidAction',
  },
  iam: {
    name: 'iam',
    protocol: 'query',
    model: IAM,
    namespace: IAM_NAMESPACE,
    operations: iamOperations,
    unknownKey: { code: 'InvalidClientTokenId', status: 403, message: INVALID },
    expiredKey: { code: 'ExpiredToken', status: 400, message: EXPIRED },
    unknownOperation: 'InvalidAction',
  },
};

export const JSON_TARGET_PREFIXES: Record<string, ServiceName> = { TrentService: 'kms', AmazonSSM: 'ssm' };

/** Operations that never need a signature. */
export const UNSIGNED_OPERATIONS = new Set(['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML']);

export function isServiceName(value: string | undefined): value is ServiceName {
  return value !== undefined && value in SERVICES;
}
