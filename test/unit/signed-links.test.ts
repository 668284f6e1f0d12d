import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LENGTH, signLink, verifyLink, type LinkToSign } from '../../functions/platform/signed-links';
import { usedLinkKey } from '../../schemas/keys';

const SECRET = 'links-secret-0123456789abcdef-0123456789';
const OLD_SECRET = Buffer.alloc(32, 7);
const EXP = new Date('2026-03-01T12:00:00Z');
const BEFORE = new Date('2026-02-20T09:00:00Z');
const approval: LinkToSign = {
  purpose: 'approval-decision',
  subject: { taskId: 'task-1', approverId: 'user-7' },
  expiresAt: EXP,
  linkId: 'link-1',
};
const asApproval = { purpose: 'approval-decision', now: BEFORE };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (payload: string, secret: string | Buffer = SECRET) =>
  `${payload}.${createHmac('sha256', secret).update(`1.${payload}`).digest('base64url')}`;
const reasonOf = (token: string, options = asApproval) => {
  const result = verifyLink(token, SECRET, options);
  return result.ok ? 'ok' : result.reason;
};

describe('signed links', () => {
  it('round-trip: the token verifies to its link id, subject and expiry', () => {
    const token = signLink(approval, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLink(token, SECRET, asApproval)).toEqual({
      ok: true,
      linkId: 'link-1',
      subject: { taskId: 'task-1', approverId: 'user-7' },
      expiresAt: EXP,
    });
  });

  it('is the documented format: base64url(JSON).base64url(HMAC-SHA256(secret, "1." + payload))', () => {
    const token = signLink(approval, SECRET);
    const payload = b64({ v: 1, p: 'approval-decision', s: { taskId: 'task-1', approverId: 'user-7' }, exp: EXP.getTime() / 1000, id: 'link-1' });
    expect(token).toBe(sign(payload));
  });

  it('gives every link a fresh random UUID unless one is given', () => {
    const { linkId: _omitted, ...rest } = approval;
    const first = verifyLink(signLink(rest, SECRET), SECRET, asApproval);
    const second = verifyLink(signLink(rest, SECRET), SECRET, asApproval);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.linkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.linkId).not.toBe(second.linkId);
  });

  it('refuses a changed payload as bad-signature, whatever was changed', () => {
    const [, signature] = signLink(approval, SECRET).split('.');
    const forged = b64({ v: 1, p: 'approval-decision', s: { taskId: 'task-2', approverId: 'user-7' }, exp: EXP.getTime() / 1000, id: 'link-1' });
    expect(reasonOf(`${forged}.${signature}`)).toBe('bad-signature');
    const later = b64({ v: 1, p: 'approval-decision', s: approval.subject, exp: EXP.getTime() / 1000 + 86400, id: 'link-1' });
    expect(reasonOf(`${later}.${signature}`)).toBe('bad-signature');
    // re-labelling an unsubscribe token as an approval is a change like any other
    const unsubscribe = signLink({ purpose: 'unsubscribe', subject: { contactId: 'c1', listId: 'l1' }, expiresAt: EXP, linkId: 'u1' }, SECRET);
    const [, unsubscribeSignature] = unsubscribe.split('.');
    const relabelled = b64({ v: 1, p: 'approval-decision', s: { contactId: 'c1', listId: 'l1' }, exp: EXP.getTime() / 1000, id: 'u1' });
    expect(reasonOf(`${relabelled}.${unsubscribeSignature}`)).toBe('bad-signature');
  });

  it('refuses a changed or foreign signature as bad-signature, a misshapen one as malformed', () => {
    const token = signLink(approval, SECRET);
    const [payload, signature] = token.split('.') as [string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(reasonOf(`${payload}.${flipped}`)).toBe('bad-signature');
    expect(reasonOf(sign(payload, 'another-secret-0123456789abcdef-0123'))).toBe('bad-signature');
    // the same 32 bytes spelt differently (the last character's two spare bits) are not the signature
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) + 1) & 3)]!;
    expect(Buffer.from(signature.slice(0, -1) + sibling, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(reasonOf(`${payload}.${signature.slice(0, -1)}${sibling}`)).toBe('bad-signature');
    expect(reasonOf(`${payload}.${signature}=`)).toBe('malformed');
    expect(reasonOf(`${payload}.${signature.slice(1)}`)).toBe('malformed');
    expect(reasonOf(`${payload}.${signature}.x`)).toBe('malformed');
    expect(reasonOf(payload)).toBe('malformed');
    expect(reasonOf('')).toBe('malformed');
  });

  it('refuses a genuine token of another purpose: an unsubscribe link cannot decide an approval', () => {
    const unsubscribe = signLink({ purpose: 'unsubscribe', subject: { contactId: 'c1', listId: 'l1' }, expiresAt: EXP }, SECRET);
    expect(reasonOf(unsubscribe)).toBe('wrong-purpose');
    expect(reasonOf(unsubscribe, { purpose: 'unsubscribe', now: BEFORE })).toBe('ok');
    expect(reasonOf(signLink(approval, SECRET), { purpose: 'unsubscribe', now: BEFORE })).toBe('wrong-purpose');
    // reported before expiry: misuse is the more telling reason
    expect(reasonOf(unsubscribe, { purpose: 'approval-decision', now: new Date(EXP.getTime() + 1000) })).toBe('wrong-purpose');
  });

  it('expires at exp itself: the last millisecond before works, exp does not', () => {
    const token = signLink(approval, SECRET);
    expect(reasonOf(token, { purpose: 'approval-decision', now: new Date(EXP.getTime() - 1) })).toBe('ok');
    expect(reasonOf(token, { purpose: 'approval-decision', now: EXP })).toBe('expired');
    expect(reasonOf(token, { purpose: 'approval-decision', now: new Date(EXP.getTime() + 86_400_000) })).toBe('expired');
    expect(reasonOf(token, { purpose: 'approval-decision', now: new Date(Number.NaN) })).toBe('expired');
  });

  it('rounds expiresAt down to the second, so a link never lives longer than asked', () => {
    const token = signLink({ ...approval, expiresAt: new Date(EXP.getTime() + 999) }, SECRET);
    const result = verifyLink(token, SECRET, asApproval);
    expect(result.ok && result.expiresAt).toEqual(EXP);
    expect(reasonOf(token, { purpose: 'approval-decision', now: EXP })).toBe('expired');
  });

  it('rotates keys: the first secret signs, any in the list verifies', () => {
    const old = signLink(approval, OLD_SECRET);
    expect(verifyLink(old, [SECRET, OLD_SECRET], asApproval).ok).toBe(true);
    expect(verifyLink(old, [SECRET], asApproval)).toEqual({ ok: false, reason: 'bad-signature' });
    const current = signLink(approval, [SECRET, OLD_SECRET]);
    expect(current).toBe(signLink(approval, SECRET));
    expect(verifyLink(current, SECRET, asApproval).ok).toBe(true);
    expect(verifyLink(current, OLD_SECRET, asApproval)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('throws on a missing or short secret and on a bad link, which are the caller’s mistakes', () => {
    expect(() => signLink(approval, [])).toThrow(/no secret/);
    expect(() => signLink(approval, 'short')).toThrow(/at least 32 bytes/);
    expect(() => verifyLink('x.y', [SECRET, 'short'], asApproval)).toThrow(/at least 32 bytes/);
    expect(() => signLink({ ...approval, purpose: '' }, SECRET)).toThrow(/purpose/);
    expect(() => signLink({ ...approval, linkId: 'LINK#1' }, SECRET)).toThrow(/linkId/);
    expect(() => signLink({ ...approval, expiresAt: new Date('nope') }, SECRET)).toThrow(/expiresAt/);
    expect(() => signLink({ ...approval, subject: { n: 1 } as unknown as Record<string, string> }, SECRET)).toThrow(/subject/);
    expect(() => signLink({ ...approval, subject: { note: 'x'.repeat(800) } }, SECRET)).toThrow(/make the subject smaller/);
  });

  it('refuses a genuinely signed payload of the wrong shape as malformed', () => {
    const good = { v: 1, p: 'approval-decision', s: { taskId: 't' }, exp: EXP.getTime() / 1000, id: 'l1' };
    expect(reasonOf(sign(b64(good)))).toBe('ok');
    for (const bad of [
      { ...good, v: 2 },
      { ...good, s: { taskId: 1 } },
      { ...good, s: ['t'] },
      { ...good, exp: '1772366400' },
      { ...good, exp: 1.5 },
      { ...good, id: 'LINK#x' },
      null,
      [good],
    ]) {
      expect(reasonOf(sign(b64(bad)))).toBe('malformed');
    }
    expect(reasonOf(sign(Buffer.from('{not json').toString('base64url')))).toBe('malformed');
    expect(reasonOf(sign(Buffer.from([0xff, 0xfe, 0x00]).toString('base64url')))).toBe('malformed');
  });

  it('stays well inside a URL: typical tokens are under 400 characters, none over MAX_TOKEN_LENGTH', () => {
    const typical = [
      signLink({ purpose: 'approval-decision', subject: { taskId: randomUUID(), approverId: randomUUID() }, expiresAt: EXP }, SECRET),
      signLink({ purpose: 'unsubscribe', subject: { contactId: randomUUID(), listId: randomUUID() }, expiresAt: EXP }, SECRET),
    ];
    for (const token of typical) expect(token.length).toBeLessThan(400);
    expect(reasonOf('a'.repeat(MAX_TOKEN_LENGTH - 44) + '.' + 'b'.repeat(43))).toBe('bad-signature');
    expect(reasonOf('a'.repeat(MAX_TOKEN_LENGTH - 43) + '.' + 'b'.repeat(43))).toBe('malformed');
  });

  it('never throws, and never accepts, on random and mutated tokens', () => {
    // a seeded generator, so a failure is reproducible
    let seed = 0x2545f491;
    const random = (below: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % below;
    };
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/% \n\u0000é😀';
    const chars = [...alphabet];
    const randomString = (length: number) => Array.from({ length }, () => chars[random(chars.length)]).join('');
    const valid = signLink(approval, SECRET);
    const mutate = (token: string): string => {
      const at = random(token.length + 1);
      switch (random(7)) {
        case 0:
          return token.slice(0, at) + randomString(1) + token.slice(at + 1);
        case 1:
          return token.slice(0, at) + token.slice(at + 1);
        case 2:
          return token.slice(0, at) + randomString(1 + random(4)) + token.slice(at);
        case 3:
          return token.slice(0, at);
        case 4: {
          const [payload, signature] = token.split('.');
          return `${signature}.${payload}`;
        }
        case 5:
          return token + token.slice(0, random(60));
        default:
          return randomString(random(500));
      }
    };

    const candidates = [
      ...Array.from({ length: 300 }, () => mutate(valid)),
      ...Array.from({ length: 100 }, () => mutate(mutate(valid))),
      ...Array.from({ length: 100 }, () => randomString(random(120))),
      ...Array.from({ length: 50 }, () => `${b64({ v: 1, p: 'approval-decision' }).slice(0, random(40))}.${randomString(43)}`),
      'x'.repeat(100_000),
    ].filter((token) => token !== valid);
    expect(candidates.length).toBeGreaterThan(500);
    for (const token of candidates) {
      let result: ReturnType<typeof verifyLink> | undefined;
      expect(() => {
        result = verifyLink(token, [SECRET, OLD_SECRET], asApproval);
      }).not.toThrow();
      expect(result?.ok).toBe(false);
    }
    for (const notAString of [undefined, null, 42, {}, ['a.b']]) {
      expect(verifyLink(notAString as unknown as string, SECRET, asApproval)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('marks a used link under its own key', () => {
    expect(usedLinkKey('link-1')).toEqual({ pk: 'LINK#link-1', sk: 'USED' });
  });
});
