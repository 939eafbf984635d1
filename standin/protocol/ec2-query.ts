/** EC2's query protocol: form-encoded requests, XML answers in the 2016-11-15 namespace. */
import type { AwsError } from '../errors.js';
import { encodeXmlMembers, escapeXml, type OperationSchemas } from './schema-codec.js';
import type { WireResponse } from './wire.js';

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const XML_HEADERS = { 'content-type': 'text/xml;charset=UTF-8' };

export function ec2Success(operation: string, schemas: OperationSchemas, output: object, requestId: string): WireResponse {
  const members = encodeXmlMembers(schemas.output, output as Record<string, unknown>);
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${EC2_NAMESPACE}">` +
    `<requestId>${requestId}</requestId>${members}</${operation}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}

export function ec2Error(error: AwsError, requestId: string): WireResponse {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  return { status: error.status, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body };
}
