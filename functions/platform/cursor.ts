import { invalidField } from './errors';

type Item = Record<string, unknown>;
/** The list a cursor belongs to: the index and partition it pages through. */
export interface CursorScope {
  index: string;
  pk: string;
}

// The cursor is opaque to clients but carries the list it belongs to, so it cannot be replayed on another.
export const encodeCursor = (scope: CursorScope, key: Item) =>
  Buffer.from(JSON.stringify({ i: scope.index, p: scope.pk, k: key })).toString('base64url');

export function decodeCursor(scope: CursorScope, cursor: string): Item {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { i?: string; p?: string; k?: Item };
    if (decoded.i === scope.index && decoded.p === scope.pk && decoded.k && typeof decoded.k === 'object') return decoded.k;
  } catch {
    // reported below
  }
  throw invalidField('query.cursor', 'is not a cursor of this list; pass back the nextCursor you were given');
}
