import type * as z from '../../schemas/zod';
import { invalid, type FieldIssue } from './errors';

/**
 * Parses input with its schema; a failure lists every bad field (as `body.creditLimit.currency`),
 * never just the first.
 */
export function parseInput<T>(schema: z.ZodMiniType<T>, input: unknown, where: 'body' | 'query' | 'path'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): FieldIssue[] => {
    const base = [where, ...issue.path.map(String)].join('.');
    // an unknown key is reported on the key itself, so the client sees which field to remove
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${base}.${key}`, message: 'is not a known field', code: issue.code }));
    }
    return [{ field: base, message: issue.message, code: issue.code }];
  });
  throw invalid(`the ${where} has ${issues.length} invalid field${issues.length === 1 ? '' : 's'}`, issues);
}
