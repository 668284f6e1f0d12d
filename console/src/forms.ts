import { useState } from 'react';
import * as z from '../../schemas/zod';
import { ApiError } from './api/client';

/**
 * Forms check their input with the API's own zod schema before sending (one source per contract), and
 * show the API's 400 next to the field it names when the server finds more (a rule only it can check).
 */
export type FieldErrors = Record<string, string>;

export function check<S extends z.ZodMiniType>(schema: S, value: unknown): { data: z.output<S> } | { errors: FieldErrors } {
  const result = z.safeParse(schema, value);
  if (result.success) return { data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.');
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (field ? `${field}.${k}` : k)) : [field];
    for (const key of keys) errors[key] ??= issue.message;
  }
  return { errors };
}

/** A form's field errors: from the schema before sending, or from the API's 400 after. */
export function useFieldErrors() {
  const [errors, setErrors] = useState<FieldErrors>({});
  return {
    errors,
    /** the error of a field, or of any field under it ("lines" covers "lines.0.amount") when asked with prefix */
    of: (field: string) => errors[field],
    set: setErrors,
    clear: () => setErrors({}),
    /** the value as the schema parses it, or undefined with each bad field's message shown next to it */
    checked<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> | undefined {
      const result = check(schema, value);
      setErrors('errors' in result ? result.errors : {});
      return 'data' in result ? result.data : undefined;
    },
    fromError(error: unknown) {
      if (error instanceof ApiError && error.status === 400) setErrors(error.fields);
    },
  };
}
