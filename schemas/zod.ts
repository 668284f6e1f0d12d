// zod/mini keeps handler bundles small (zod classic alone is ~450 KB minified); the English locale gives
// the readable messages that 400 responses carry. Re-exported as a module (not a namespace object) so
// esbuild can drop every part a handler does not use.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
