/**
 * A value built on its first use and kept. Building a zod schema runs code, and a function's cold start
 * runs every schema its modules build at the top level: the contracts a request does not use (other
 * routes' bodies, the OpenAPI-only response shapes) are built lazily instead.
 */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
