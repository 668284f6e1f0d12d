/**
 * The measures' aggregates (functions/measures). One partition per bucket and tile, one item per month
 * and dimension in it, so a tile over any range of months is one Query (`sk BETWEEN <from> AND <to>~`):
 *   pk = MEASURES#<bucket>#<tile>   sk = <YYYY-MM>#<dimension>
 * A bucket is whose work the figures are: one owner's, one department's own, or a department's tree.
 * Beside them, one item per counted event: written in the aggregate update's transaction on condition that
 * it is absent, so an event delivered twice is counted once.
 */
export type MeasureBucket = `OWNER#${string}` | `DEPT#${string}` | `TREE#${string}`;

export const measureBucket = {
  owner: (userId: string): MeasureBucket => `OWNER#${userId}`,
  department: (departmentId: string): MeasureBucket => `DEPT#${departmentId}`,
  tree: (departmentId: string): MeasureBucket => `TREE#${departmentId}`,
};

export const measurePk = (bucket: MeasureBucket, tile: string) => `MEASURES#${bucket}#${tile}`;
export const measureKey = (bucket: MeasureBucket, tile: string, period: string, dimension: string) => ({
  pk: measurePk(bucket, tile),
  sk: `${period}#${dimension}`,
});
/** The sort-key range of the months from..to (inclusive) of a tile's partition. */
export const measureRange = (from: string, to: string) => ({ from: `${from}#`, to: `${to}#\uffff` });

/** The mark of one counted event (or one fact that counts once, such as a lead's first response). */
export const measuredEventKey = (eventKey: string) => ({ pk: `MEASURED#${eventKey}`, sk: 'MEASURED' });
