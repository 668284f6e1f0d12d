import { writeFileSync } from 'node:fs';
import { cataloguePage } from './catalogue-page';

writeFileSync(new URL('../../docs/events.md', import.meta.url), cataloguePage());
console.log('wrote docs/events.md');
