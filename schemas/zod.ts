// zod/mini keeps handler bundles small (zod classic alone is ~450 KB minified); the English locale gives
// the readable messages that 400 responses carry.
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());

export { z };
