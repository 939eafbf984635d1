// The clients other than STS: most of the bundle, loaded by loadServiceClients (clients.ts) off the start-up path.
export { EC2Client } from '@aws-sdk/client-ec2';
export { IAMClient } from '@aws-sdk/client-iam';
export { KMSClient } from '@aws-sdk/client-kms';
export { SSMClient } from '@aws-sdk/client-ssm';
