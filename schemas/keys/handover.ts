import { listPk } from './table';

/**
 * A handover's items: its record, and its book in pages (`PAGE#<n>`), each page holding its items and
 * their outcomes, so that an item's move and its outcome mark are one transaction on two items. Listed
 * newest first through byType.
 */
export const HANDOVER_TYPE = 'HANDOVER';
export const HANDOVER_SK = { record: 'HANDOVER', pagePrefix: 'PAGE#' } as const;
export const handoverPk = (handoverId: string) => `${HANDOVER_TYPE}#${handoverId}`;
export const handoverKey = (handoverId: string) => ({ pk: handoverPk(handoverId), sk: HANDOVER_SK.record });
export const handoverPageKey = (handoverId: string, page: number) => ({ pk: handoverPk(handoverId), sk: `${HANDOVER_SK.pagePrefix}${String(page).padStart(5, '0')}` });
export const handoverIndexKeys = (handoverId: string, startedAt: string) => ({ byTypePk: listPk.byType(HANDOVER_TYPE), byTypeSk: `${startedAt}#${handoverId}` });
/** Items a page holds: a page's move is one task invocation, and its outcomes stay far below an item's 400 KB. */
export const HANDOVER_PAGE_SIZE = 100;
