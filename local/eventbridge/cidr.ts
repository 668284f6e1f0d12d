import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number, with its family's width in bits. */
interface Address {
  bits: 32 | 128;
  value: bigint;
}

function ipv4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6(text: string): bigint {
  let groups = text;
  // a trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (quad) {
    const v4 = ipv4(quad[1]!);
    groups = `${groups.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { bits: 32, value: ipv4(text) };
  if (isIPv6(text)) return { bits: 128, value: ipv6(text) };
  return undefined;
}

/**
 * Compiles `10.0.0.0/24` or `2001:db8::/32` (a bare address is its own /32 or /128) into a test of
 * IP address strings; undefined when the text is not a CIDR block.
 */
export function compileCidr(text: string): ((ip: string) => boolean) | undefined {
  const [address = '', length, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const network = parseAddress(address);
  if (!network) return undefined;
  const prefix = length === undefined ? network.bits : /^\d{1,3}$/.test(length) ? Number(length) : NaN;
  if (!(prefix >= 0 && prefix <= network.bits)) return undefined;
  const shift = BigInt(network.bits - prefix);
  return (ip) => {
    const candidate = parseAddress(ip);
    return candidate?.bits === network.bits && candidate.value >> shift === network.value >> shift;
  };
}
