// zod/mini keeps handler bundles small (zod classic alone is ~450 KB minified); the English locale gives
// the readable messages that 400 responses carry. Re-exported as a module (not a namespace object) so
// esbuild can drop every part a handler does not use.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());
// Two of the locale's messages speak zod rather than the client's language: a field left out is
// "expected string, received undefined", and a query parameter that is no number "received NaN".
// A schema's own message (z.enum(..., 'must be one of ...')) still comes first.
config({
  customError: (issue) => {
    if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) return 'is required';
    if (issue.code === 'invalid_type' && issue.expected === 'number' && Number.isNaN(issue.input)) return 'must be a number';
    return undefined;
  },
});

export * from 'zod/mini';
