import { createHash } from 'node:crypto';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** base64, as the JSON protocol carries blobs */
  BinaryValue?: string;
}

export const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/**
 * SQS's digest of message attributes, which the SDK checks: for each attribute by name, the name,
 * the data type and the value, each length-prefixed (4 bytes, big-endian), the value after a
 * transport byte (1 string, 2 binary).
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const prefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name]!;
    prefixed(Buffer.from(name, 'utf8'));
    prefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      prefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      prefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}
