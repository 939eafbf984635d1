/** The awsQuery protocol of STS and IAM: form-encoded requests, XML answers wrapped in <OpResult>. */
import type { AwsError } from '../errors.js';
import { encodeXmlMembers, escapeXml, type OperationSchemas } from './schema-codec.js';
import type { WireResponse } from './wire.js';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const XML_HEADERS = { 'content-type': 'text/xml' };

export function querySuccess(
  namespace: string,
  operation: string,
  schemas: OperationSchemas,
  output: object,
  requestId: string,
): WireResponse {
  const members = encodeXmlMembers(schemas.output, output as Record<string, unknown>);
  const body =
    `<${operation}Response xmlns="${namespace}"><${operation}Result>${members}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

export function queryError(namespace: string, error: AwsError, requestId: string): WireResponse {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}
