/**
 * The single table's indexes. Every pk/sk and index key in the product is built in schemas/keys/ and
 * nowhere else, one module per domain; index names and their attributes are here.
 *
 * Main table: one item per record, `pk = <TYPE>#<id>`, `sk = RECORD`: every get is one GetItem.
 * Global secondary indexes (all project every attribute), each `<name>Pk`/`<name>Sk`:
 *   byCollection  the account's item collection (the account 360) and the department tree
 *   byOwner       a user's records of one type
 *   byDepartment  a department's records of one type (what a sales rep may see)
 *   byStatus      records of one type in one status (or opportunity stage)
 *   byRegion      accounts and leads of one region
 *   byType        every record of one type
 * A soft-deleted record loses its index keys, so it drops out of every list but stays readable by key.
 */
/** The table's TTL attribute: epoch seconds after which DynamoDB deletes the item. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const INDEX_NAMES = ['byCollection', 'byOwner', 'byDepartment', 'byStatus', 'byRegion', 'byType'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

export const indexKeyAttributes = (index: IndexName) => ({ pk: `${index}Pk`, sk: `${index}Sk` }) as const;

export const ALL_INDEX_ATTRIBUTES: string[] = INDEX_NAMES.flatMap((i) => Object.values(indexKeyAttributes(i)));

/**
 * A searchable record's text (see SEARCHABLE_FIELDS), normalized for a case- and accent-insensitive
 * `contains` filter. Like the index keys it locates the item and leaves it with a soft delete.
 */
export const SEARCH_ATTRIBUTE = 'searchText';

/** Every attribute an item carries only to be listed or found: the index keys and the search text. */
export const LISTING_ATTRIBUTES: string[] = [...ALL_INDEX_ATTRIBUTES, SEARCH_ATTRIBUTE];

export const listPk = {
  byOwner: (type: string, ownerId: string) => `OWNER#${ownerId}#${type}`,
  byDepartment: (type: string, departmentId: string) => `DEPARTMENT#${departmentId}#${type}`,
  byStatus: (type: string, status: string) => `${type}#STATUS#${status}`,
  byRegion: (type: string, region: string) => `${type}#REGION#${region.toLowerCase()}`,
  byType: (type: string) => type,
};
