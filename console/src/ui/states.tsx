import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** Loading, error (403 / 404 / other) and empty states around a query's data. */
export function QueryView<T>({ query, empty, isEmpty, label, children }: {
  query: UseQueryResult<T>;
  /** what to say when there is nothing */
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  /** what is loading, e.g. "accounts" */
  label: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <p role="status" aria-live="polite">Loading {label}…</p>;
  if (query.isError) return <ErrorView error={query.error} retry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <p className="muted">{empty ?? `No ${label}.`}</p>;
  return <>{children(query.data)}</>;
}

export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  if (error instanceof ApiError && error.status === 403) return <Forbidden reason={error.detail ?? error.title} />;
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div className="alert bad" role="alert">
        <h2>Not found</h2>
        <p>{error.detail ?? 'This record does not exist, or it was deleted.'}</p>
      </div>
    );
  }
  return (
    <div className="alert bad" role="alert">
      <h2>Something went wrong</h2>
      <p>{error instanceof Error ? error.message : String(error)}</p>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}

/** A 403: what access is missing, in the API's words. */
export function Forbidden({ reason }: { reason: string }) {
  return (
    <section className="alert bad" role="alert" aria-labelledby="forbidden-title">
      <h2 id="forbidden-title">Not yours: you do not have access to this record</h2>
      <p>{reason}</p>
      <p className="muted">Ask the record's owner or your manager if you need it.</p>
    </section>
  );
}

/** A form's error that names no field (the fields show theirs next to them). */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 403) return <Forbidden reason={error.detail ?? error.title} />;
  const fields = error instanceof ApiError ? Object.keys(error.fields) : [];
  return (
    <div className="alert bad" role="alert">
      {error instanceof Error ? error.message : String(error)}
      {fields.length > 0 && <> (see {fields.length === 1 ? 'the field' : 'the fields'} marked below)</>}
    </div>
  );
}
