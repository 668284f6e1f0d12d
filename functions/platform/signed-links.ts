/**
 * Signed links in mail: an approver's decision link, a lead's one-click unsubscribe (RFC 8058). Pure
 * crypto, no I/O; the only thing it does not take as an argument is the random default link id.
 *
 * Token (version 1), URL-safe as it stands (base64url and one `.`, nothing to percent-encode):
 *
 *   <payload> "." <signature>
 *   payload   = base64url(JSON {"v":1,"p":<purpose>,"s":{<subject>},"exp":<epoch seconds>,"id":<link id>})
 *   signature = base64url(HMAC-SHA256(secret, "1." + payload))     (the payload as it appears in the token)
 *
 * Verification, in this order, the first failure being the reason given:
 *   malformed      not a string, longer than MAX_TOKEN_LENGTH, not two base64url parts, a signature that is
 *                  not 43 characters; or (only for a token we signed ourselves) a payload of the wrong shape
 *   bad-signature  signed by none of the secrets, or changed after signing. Checked before the payload is
 *                  parsed at all: nothing in an unauthenticated payload is read or reported.
 *   wrong-purpose  genuine, but signed for another purpose: an unsubscribe token cannot decide an approval
 *   expired        genuine, but `now` is at or after `exp`. Like JWT's `exp`, it is the first second the link
 *                  no longer works; `expiresAt` is rounded down to the second when signing, never up.
 * The signature is compared as its canonical base64url text with timingSafeEqual, so there is exactly one
 * valid token per payload (a second spelling of the same bytes is not accepted).
 *
 * Secrets: one (string or Buffer, at least MIN_SECRET_BYTES) or a list for rotation: the first signs, any
 * verifies. To rotate, put the new secret first and keep the old one until the longest-lived link signed
 * with it has expired. Use a secret for links only (not shared with inbound-event signing or anything else).
 *
 * Single use (approval decisions). A token proves who sent it and what for, not that it is used once; the
 * consumer does that, and only on the POST from the confirmation page, never on the GET that shows it: mail
 * scanners and link previewers fetch every GET in a mail, so a GET must decide (or burn) nothing.
 *   GET  /links/<token>  verifyLink; render the page (what is being decided, the buttons) or say why not.
 *   POST /links/<token>  verifyLink again, then, in ONE TransactWriteItems (writeAllOrNothing):
 *          Put { ...usedLinkKey(linkId), expiresAt: <exp>, usedAt, ... }
 *              ConditionExpression 'attribute_not_exists(pk)'   → a second use is a 409 conflict
 *          the decision itself, conditioned on the task still awaiting this approver
 *        so a failed decision does not burn the link and a used link decides nothing.
 *   `expiresAt` (the table's TTL attribute) = Math.floor(result.expiresAt.getTime() / 1000), the token's
 *   own expiry: the marker need not outlive the token, since after `exp` verifyLink refuses it anyway (and a
 *   marker the TTL sweep has not removed yet only says "used" a little longer, which is harmless).
 * The subject says what the link is about; the consumer still checks it against the current state (the task
 * is still pending, the approver still one of its approvers) before acting.
 *
 * Unsubscribe (RFC 8058) needs no used marker: unsubscribing twice is harmless, so it is idempotent rather
 * than single-use. Mail carries `List-Unsubscribe: <https://…/unsubscribe/<token>>` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; the provider POSTs to that URL with no cookie or
 * login, so the token is the only credential and a forged one is refused (bad-signature). Give these tokens
 * a long life (weeks: senders are expected to honour an unsubscribe link for at least 30 days after sending).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const LINK_TOKEN_VERSION = 1;
/** The purposes in use; any other non-empty string works too, and is just as separate from these. */
export const LINK_PURPOSES = { approvalDecision: 'approval-decision', unsubscribe: 'unsubscribe' } as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[keyof typeof LINK_PURPOSES] | (string & {});

/** Longer input is refused unread, and signLink will not make a token longer (it goes into a URL). */
export const MAX_TOKEN_LENGTH = 1024;
/** HMAC-SHA256's own strength: a shorter secret is a configuration mistake, and is thrown on. */
export const MIN_SECRET_BYTES = 32;

export type LinkSecret = string | Buffer;
/** One secret, or a rotation list: the first signs, any of them verifies. */
export type LinkSecrets = LinkSecret | readonly LinkSecret[];

export interface LinkToSign {
  purpose: LinkPurpose;
  /** What the link is about, e.g. `{ taskId, approverId }` or `{ contactId, listId }`. Keep it small. */
  subject: Record<string, string>;
  /** The link works until just before this instant (rounded down to the second). */
  expiresAt: Date;
  /** The single-use id; a random UUID unless given. 1-64 of A-Z a-z 0-9 _ - (it goes into a table key). */
  linkId?: string;
}

export interface VerifyOptions {
  /** The purpose the caller is about to act for; a token signed for any other is refused. */
  purpose: LinkPurpose;
  now: Date;
}

export type LinkRejection = 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose';
export type VerifiedLink =
  | { ok: true; linkId: string; subject: Record<string, string>; expiresAt: Date }
  | { ok: false; reason: LinkRejection };

interface PayloadV1 {
  v: typeof LINK_TOKEN_VERSION;
  p: string;
  s: Record<string, string>;
  exp: number;
  id: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const LINK_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** 32 bytes of HMAC-SHA256 in unpadded base64url. */
const SIGNATURE_LENGTH = 43;

function secretsOf(secrets: LinkSecrets): LinkSecret[] {
  const list: LinkSecret[] = typeof secrets === 'string' || Buffer.isBuffer(secrets) ? [secrets] : [...secrets];
  if (list.length === 0) throw new Error('signed links: no secret configured');
  for (const secret of list) {
    const bytes = typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : secret.length;
    if (bytes < MIN_SECRET_BYTES) throw new Error(`signed links: a secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return list;
}

const signatureOf = (secret: LinkSecret, payload: string) =>
  createHmac('sha256', secret).update(`${LINK_TOKEN_VERSION}.${payload}`).digest('base64url');

/** A token for this link, signed with the first (current) secret. Throws only on a caller's mistake. */
export function signLink(link: LinkToSign, secret: LinkSecrets): string {
  const [current] = secretsOf(secret);
  const { purpose, subject, expiresAt, linkId = randomUUID() } = link;
  if (typeof purpose !== 'string' || purpose.length === 0) throw new Error('signed links: purpose must be a non-empty string');
  if (!isSubject(subject)) throw new Error('signed links: subject must be an object of strings');
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) throw new Error('signed links: expiresAt must be a valid Date');
  if (typeof linkId !== 'string' || !LINK_ID.test(linkId)) throw new Error('signed links: linkId must be 1-64 of A-Z a-z 0-9 _ -');
  const exp = Math.floor(expiresAt.getTime() / 1000);
  if (exp <= 0) throw new Error('signed links: expiresAt must be after 1970');
  const body: PayloadV1 = { v: LINK_TOKEN_VERSION, p: purpose, s: { ...subject }, exp, id: linkId };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  const token = `${payload}.${signatureOf(current!, payload)}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new Error(`signed links: token would be ${token.length} characters (at most ${MAX_TOKEN_LENGTH}); make the subject smaller`);
  return token;
}

/**
 * Whether this token is a genuine, unexpired link for this purpose, and if so what it is about. Never
 * throws on the token, whatever it is (it comes straight from a URL); throws only on a bad secret.
 */
export function verifyLink(token: string, secret: LinkSecrets, options: VerifyOptions): VerifiedLink {
  const secrets = secretsOf(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return rejected('malformed');
  const parts = token.split('.');
  if (parts.length !== 2) return rejected('malformed');
  const [payload, signature] = parts as [string, string];
  if (!BASE64URL.test(payload) || signature.length !== SIGNATURE_LENGTH || !BASE64URL.test(signature)) return rejected('malformed');

  // every secret is tried (no early exit), each comparison in constant time over equal-length buffers
  const given = Buffer.from(signature, 'utf8');
  let genuine = false;
  for (const candidate of secrets) {
    const expected = Buffer.from(signatureOf(candidate, payload), 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) genuine = true;
  }
  if (!genuine) return rejected('bad-signature');

  const body = parsePayload(payload);
  if (!body) return rejected('malformed');
  if (body.p !== options.purpose) return rejected('wrong-purpose');
  // written so that an invalid `now` (NaN) counts as expired
  if (!(options.now.getTime() < body.exp * 1000)) return rejected('expired');
  return { ok: true, linkId: body.id, subject: { ...body.s }, expiresAt: new Date(body.exp * 1000) };
}

const rejected = (reason: LinkRejection): VerifiedLink => ({ ok: false, reason });

function isSubject(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((field) => typeof field === 'string');
}

function parsePayload(payload: string): PayloadV1 | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { v, p, s, exp, id } = body as Record<string, unknown>;
  if (v !== LINK_TOKEN_VERSION || typeof p !== 'string' || !isSubject(s)) return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp <= 0) return undefined;
  if (typeof id !== 'string' || !LINK_ID.test(id)) return undefined;
  return { v, p, s, exp, id };
}
