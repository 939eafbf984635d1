/**
 * Reads requests and writes responses with the SDK's own service models (the `Operation$` schemas every
 * @aws-sdk/client-* package exports), so wire names (`ImageId.1`, `imagesSet`/`item`, `TagSpecification.1.Tag.1.Key`,
 * `ActionNames.member.1`) are exactly what the real clients send and parse.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import type { $SchemaRef } from '@smithy/types';

export type QueryFlavor = 'ec2' | 'query';

export interface OperationSchemas {
  input: NormalizedSchema;
  output: NormalizedSchema;
}

const cache = new WeakMap<object, Map<string, OperationSchemas | null>>();

/** The input and output schema of `operation` in an SDK client module, or undefined when it has none. */
export function findOperation(sdkModule: object, operation: string): OperationSchemas | undefined {
  let perModule = cache.get(sdkModule);
  if (!perModule) cache.set(sdkModule, (perModule = new Map()));
  const known = perModule.get(operation);
  if (known !== undefined) return known ?? undefined;
  const raw: unknown = (sdkModule as Record<string, unknown>)[`${operation}$`];
  // A static operation schema: [9, namespace, name, traits, input, output].
  const found =
    Array.isArray(raw) && raw[0] === 9
      ? { input: NormalizedSchema.of(raw[4] as $SchemaRef), output: NormalizedSchema.of(raw[5] as $SchemaRef) }
      : null;
  perModule.set(operation, found);
  return found ?? undefined;
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** The query key of a structure member, the way the SDK's QueryShapeSerializer names it. */
function queryMemberKey(memberName: string, member: NormalizedSchema, flavor: QueryFlavor): string {
  const traits = member.getMergedTraits();
  if (flavor === 'ec2') {
    if (typeof traits.ec2QueryName === 'string') return traits.ec2QueryName;
    return capitalize(typeof traits.xmlName === 'string' ? traits.xmlName : memberName);
  }
  return typeof traits.xmlName === 'string' ? traits.xmlName : memberName;
}

function readScalar(schema: NormalizedSchema, raw: string): unknown {
  if (schema.isBooleanSchema()) return raw === 'true';
  if (schema.isNumericSchema()) return Number(raw);
  if (schema.isTimestampSchema()) return /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (schema.isBlobSchema()) return new Uint8Array(Buffer.from(raw, 'base64'));
  return raw;
}

class QueryReader {
  private readonly prefixes = new Set<string>();

  constructor(
    private readonly params: Map<string, string>,
    private readonly flavor: QueryFlavor,
  ) {
    for (const key of params.keys()) {
      const parts = key.split('.');
      for (let i = 1; i <= parts.length; i++) this.prefixes.add(parts.slice(0, i).join('.'));
    }
  }

  read(schema: NormalizedSchema, key: string): unknown {
    if (schema.isStructSchema()) {
      const out: Record<string, unknown> = {};
      let found = false;
      for (const [name, member] of schema.structIterator()) {
        const memberKey = queryMemberKey(name, member, this.flavor);
        const value = this.read(member, key ? `${key}.${memberKey}` : memberKey);
        if (value !== undefined) {
          out[name] = value;
          found = true;
        }
      }
      return found || !key ? out : undefined;
    }
    if (schema.isListSchema()) {
      const member = schema.getValueSchema();
      const flat = this.flavor === 'ec2' || schema.getMergedTraits().xmlFlattened === 1;
      const memberTraits = member.getMergedTraits();
      const suffix = flat ? '' : `${typeof memberTraits.xmlName === 'string' ? memberTraits.xmlName : 'member'}.`;
      const items: unknown[] = [];
      for (let i = 1; this.prefixes.has(`${key}.${suffix}${i}`); i++) items.push(this.read(member, `${key}.${suffix}${i}`));
      if (items.length > 0) return items;
      return this.params.has(key) ? [] : undefined;
    }
    if (schema.isMapSchema()) {
      const out: Record<string, unknown> = {};
      const flat = schema.getMergedTraits().xmlFlattened === 1;
      let found = false;
      for (let i = 1; ; i++) {
        const entry = flat ? `${key}.${i}` : `${key}.entry.${i}`;
        const name = this.params.get(`${entry}.key`);
        if (name === undefined) break;
        out[name] = this.read(schema.getValueSchema(), `${entry}.value`);
        found = true;
      }
      return found ? out : undefined;
    }
    const raw = this.params.get(key);
    return raw === undefined ? undefined : readScalar(schema, raw);
  }
}

/** Decodes a query-protocol (EC2 or awsQuery) request into the SDK's input shape. */
export function decodeQuery(schema: NormalizedSchema, params: Map<string, string>, flavor: QueryFlavor): Record<string, unknown> {
  return new QueryReader(params, flavor).read(schema, '') as Record<string, unknown>;
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function xmlScalar(schema: NormalizedSchema, value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (schema.isTimestampSchema() && typeof value === 'number') return new Date(value).toISOString();
  return escapeXml(String(value));
}

function xmlValue(schema: NormalizedSchema, value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (schema.isStructSchema()) return `<${name}>${encodeXmlMembers(schema, value as Record<string, unknown>)}</${name}>`;
  if (schema.isListSchema()) {
    const items = Array.isArray(value) ? value : [];
    const member = schema.getValueSchema();
    if (schema.getMergedTraits().xmlFlattened === 1) return items.map((item) => xmlValue(member, item, name)).join('');
    const traits = member.getMergedTraits();
    const itemName = typeof traits.xmlName === 'string' ? traits.xmlName : 'member';
    return `<${name}>${items.map((item) => xmlValue(member, item, itemName)).join('')}</${name}>`;
  }
  if (schema.isMapSchema()) {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${xmlValue(schema.getValueSchema(), v, 'value')}</entry>`)
      .join('');
    return `<${name}>${entries}</${name}>`;
  }
  return `<${name}>${xmlScalar(schema, value)}</${name}>`;
}

/** The XML elements for the members of a structure value (no enclosing element). */
export function encodeXmlMembers(schema: NormalizedSchema, value: Record<string, unknown>): string {
  let out = '';
  for (const [name, member] of schema.structIterator()) {
    const memberTraits = member.getMemberTraits();
    const elementName = typeof memberTraits.xmlName === 'string' ? memberTraits.xmlName : name;
    out += xmlValue(member, value[name], elementName);
  }
  return out;
}

/** A value ready for JSON 1.1: timestamps as epoch seconds, blobs as base64. */
export function toJsonWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonWire(v);
    return out;
  }
  return value;
}
