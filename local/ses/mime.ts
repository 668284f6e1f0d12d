/**
 * Just enough MIME to read back what SES's Content.Raw carries: the top-level headers (unfolded, with
 * RFC 2047 encoded words decoded) and the first text/plain and text/html parts, through any nesting of
 * multipart/* and the base64 / quoted-printable transfer encodings. Attachments are skipped.
 */

export interface MessageHeader {
  name: string;
  value: string;
}

export interface ParsedMime {
  headers: MessageHeader[];
  text?: string;
  html?: string;
}

export function parseMime(raw: string): ParsedMime {
  const { headers, body } = splitEntity(raw);
  const decoded = headers.map((h) => ({ name: h.name, value: decodeEncodedWords(h.value) }));
  const parts: { text?: string; html?: string } = {};
  collectTextParts(headers, body, parts);
  return { headers: decoded, ...parts };
}

export function headerValue(headers: MessageHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** Splits `a@x.com, "Doe, Jane" <jane@x.com>` into its addresses, keeping display names. */
export function splitAddressList(value: string | undefined): string[] {
  if (!value) return [];
  const addresses: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angle = true;
    else if (char === '>' && !quoted) angle = false;
    if (char === ',' && !quoted && !angle) {
      addresses.push(current);
      current = '';
    } else current += char;
  }
  addresses.push(current);
  return addresses.map((a) => a.trim()).filter(Boolean);
}

/** `Jane <jane@x.com>` → `jane@x.com`, lower-cased (what SES matches recipients on). */
export function bareAddress(address: string): string {
  const angled = /<([^>]*)>/.exec(address);
  return (angled ? angled[1]! : address).trim().toLowerCase();
}

function splitEntity(entity: string): { headers: MessageHeader[]; body: string } {
  const normalized = entity.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers: MessageHeader[] = [];
  for (const line of head.split('\n')) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(line) && last) last.value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
    }
  }
  return { headers, body };
}

/** `text/plain; charset="utf-8"` → { type: 'text/plain', params: { charset: 'utf-8' } } */
function contentType(headers: MessageHeader[]): { type: string; params: Record<string, string> } {
  const [type = 'text/plain', ...rest] = (headerValue(headers, 'content-type') ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) params[param.slice(0, eq).trim().toLowerCase()] = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

function collectTextParts(headers: MessageHeader[], body: string, parts: { text?: string; html?: string }): void {
  const { type, params } = contentType(headers);
  if (type.startsWith('multipart/') && params.boundary) {
    for (const part of splitMultipart(body, params.boundary)) {
      const entity = splitEntity(part);
      collectTextParts(entity.headers, entity.body, parts);
    }
    return;
  }
  if (/^attachment/i.test(headerValue(headers, 'content-disposition') ?? '')) return;
  const key = type === 'text/html' ? 'html' : type === 'text/plain' ? 'text' : undefined;
  if (key && parts[key] === undefined) {
    parts[key] = decodeBody(body, headerValue(headers, 'content-transfer-encoding'), params.charset);
  }
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    if (line.startsWith(delimiter)) {
      if (current) parts.push(current.join('\n'));
      if (line.startsWith(`${delimiter}--`)) return parts;
      current = [];
    } else current?.push(line);
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

function decodeBody(body: string, encoding = '7bit', charset = 'utf-8'): string {
  let bytes: Buffer;
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
      break;
    case 'quoted-printable':
      bytes = decodeQuotedPrintable(body.replace(/=\n/g, ''));
      break;
    default:
      return body.replace(/\n$/, '');
  }
  return bytesToString(bytes, charset);
}

function decodeQuotedPrintable(text: string, underscoreIsSpace = false): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const hex = text.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (char === '_' && underscoreIsSpace) bytes.push(0x20);
    else bytes.push(...Buffer.from(char));
  }
  return Buffer.from(bytes);
}

function bytesToString(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8'); // an unknown charset label
  }
}

/** RFC 2047: `=?UTF-8?B?SGVsbG8=?=` and `=?utf-8?Q?Hello_there?=`; whitespace between encoded words is dropped. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, charset: string, encoding: string, text: string) =>
      bytesToString(
        encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text, true),
        charset,
      ),
    );
}
