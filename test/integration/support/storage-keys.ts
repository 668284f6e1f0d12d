/** The table's own attributes: keys, index keys, the item's type and its search text. No response may carry one. */
const STORAGE_KEY = /^(pk|sk|recordType|searchText|gsi.*|by[A-Z][A-Za-z]*(Pk|Sk))$/;

/** Where a response body carries a storage key, as paths such as `.items[0].pk`. */
export function storageKeysIn(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => storageKeysIn(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(STORAGE_KEY.test(key) ? [`${path}.${key}`] : []),
    ...storageKeysIn(v, `${path}.${key}`),
  ]);
}
