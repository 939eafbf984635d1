/**
 * CloudFormation templates as YAML with the short forms of the intrinsic functions (!Sub, !Ref, !If, ...), from
 * templates built with their long forms ({ "Fn::Sub": ... }), and back.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
import { Document, isMap, isScalar, parse, visit, type Node, type Pair, type ScalarTag, type CollectionTag } from 'yaml';

/** Long form → short tag, for the functions the templates use. */
const SHORT: Record<string, string> = {
  Ref: '!Ref',
  'Fn::Sub': '!Sub',
  'Fn::If': '!If',
  'Fn::Equals': '!Equals',
  'Fn::Not': '!Not',
  'Fn::GetAtt': '!GetAtt',
};

/**
 * `${Name}` placeholders in a string make it a !Sub, a placeholder alone a !Ref; the generator uses no IAM policy
 * variables (${aws:...}), which !Sub would take for parameters.
 */
export function sub(value: unknown): unknown {
  if (typeof value === 'string') {
    const alone = /^\$\{([\w:]+)\}$/.exec(value);
    if (alone) return { Ref: alone[1] };
    return value.includes('${') ? { 'Fn::Sub': value } : value;
  }
  if (Array.isArray(value)) return value.map(sub);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, sub(item)]));
  return value;
}

/** The template as YAML, with `header` as its leading comment. */
export function templateYaml(template: object, header: string): string {
  // YAML 1.1 quotes what its parsers would read as another type, such as the policy version 2012-10-17 as a date.
  const doc = new Document(template, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Map(_, node) {
      const [pair] = node.items as Pair<Node, Node>[];
      if (node.items.length !== 1 || !isScalar(pair?.key)) return undefined;
      const tag = SHORT[String(pair.key.value)];
      if (!tag || !pair.value) return undefined;
      const value = tag === '!GetAtt' && !isScalar(pair.value) ? doc.createNode((pair.value.toJSON() as string[]).join('.')) : pair.value;
      value.tag = tag;
      return value;
    },
  });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item) && String(item.value).length < 40)) node.flow = true;
    },
  });
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

/** Reads a template written by templateYaml, the short forms back in their long forms. */
export function parseTemplate(text: string): Record<string, unknown> {
  const customTags = Object.entries(SHORT).flatMap(([name, tag]): (ScalarTag | CollectionTag)[] => {
    const long = (value: unknown) => ({ [name]: tag === '!GetAtt' && typeof value === 'string' ? value.split('.') : value });
    return [
      { tag, resolve: (value: string) => long(value) },
      { tag, collection: 'seq', resolve: (value) => long(value.toJSON()) },
      { tag, collection: 'map', resolve: (value) => long(isMap(value) ? value.toJSON() : value) },
    ];
  });
  return parse(text, { customTags }) as Record<string, unknown>;
}
