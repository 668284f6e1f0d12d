import { approvals } from './approvals';
import { chaos } from './chaos';
import { console_ } from './console';
import { engine } from './engine';
import { foundation } from './foundation';
import { nurture } from './nurture';
import { promotions } from './promotions';
import { service } from './service';
import { sfnRestart } from './sfn-restart';
import type { Benchmark } from './support';
import { tableShape } from './table-shape';

/** Every benchmark `npm run bench` knows, by name. Add new ones here. */
export const BENCHMARKS: Benchmark[] = [foundation, engine, approvals, nurture, promotions, service, console_, chaos, tableShape, sfnRestart];
