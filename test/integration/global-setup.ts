import { synthesize } from '../../local/synth';

/** Every integration test file starts its own runtime from the same cloud assembly: synthesize it once. */
export default async function setup() {
  await synthesize();
}
