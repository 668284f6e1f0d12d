import { buildConsole } from '../../local/console-build';
import { synthesize } from '../../local/synth';

/** Every journey runs the web console's build on its own local runtime: synthesize and build once. */
export default async function setup() {
  await synthesize();
  await buildConsole();
}
