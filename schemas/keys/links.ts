/**
 * Marks a signed link (functions/platform/signed-links) as used: put with `attribute_not_exists(pk)` when
 * the link's POST is acted on, `expiresAt` = the token's expiry, so a second use fails its condition.
 */
export const usedLinkKey = (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'USED' });
