import { buildConsole } from '../../local/console-build';

/** The stack deploys the web console's build (console/dist): build it once for every infra test file. */
export default async function setup() {
  await buildConsole();
}
