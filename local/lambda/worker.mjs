// The execution environment of one Lambda function: a worker thread started by function-runtime.ts.
// Plain JavaScript on purpose: a worker is started by Node itself, outside of tsx's or vitest's loaders.
/* global process, console */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ taskRoot: string; handler: string; context: Record<string, unknown> }} */
const { taskRoot, handler: handlerSpec, context: functionContext } = workerData;
const currentRequestId = new AsyncLocalStorage();

process.setSourceMapsEnabled(true);

// The local clock (local/clock.ts) is real time plus an offset that tests and demos advance; each
// invocation brings the current offset, and the handler's Date reads it.
const RealDate = Date;
let clockOffsetMs = 0;
class LocalDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + clockOffsetMs;
  }
}
globalThis.Date = LocalDate;

// Lambda's console prefixes each message with the time, the request id and the level. The lines go
// over the message port, not stdout: stdout reaches the parent asynchronously, so a line could land
// after the invocation's END, or be lost when the worker stops; the port keeps them in order with the result.
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['debug', 'DEBUG'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
]) {
  console[method] = (...args) => {
    const text = `${new Date().toISOString()}\t${currentRequestId.getStore()}\t${level}\t${format(...args)}`;
    for (const line of text.split('\n')) parentPort.postMessage({ log: line });
  };
}

class RuntimeError extends Error {
  constructor(errorType, message) {
    super(message);
    this.name = errorType;
  }
}

/** `index.handler` -> export `handler` of `index.mjs` (or `.js`, `.cjs`) in the task root. */
async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  const [file, name] = [handlerSpec.slice(0, dot), handlerSpec.slice(dot + 1)];
  const path = ['.mjs', '.js', '.cjs'].map((ext) => join(taskRoot, file + ext)).find((p) => existsSync(p));
  if (!path) throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${file}' in ${taskRoot}`);
  let module;
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new RuntimeError('Runtime.ImportModuleError', `${error.name}: ${error.message}`);
  }
  const handler = module[name] ?? module.default?.[name];
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerSpec} is undefined or not exported`);
  }
  return handler;
}

let handlerPromise;

/** Async handlers resolve; callback-style handlers (three parameters) call back. */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const returned = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    if (typeof returned?.then === 'function') returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

function toLambdaError(error) {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: String(error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

parentPort.on('message', async ({ id, requestId, event, deadline, clockOffsetMs: offset }) => {
  clockOffsetMs = offset ?? 0;
  const context = {
    ...functionContext,
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
  };
  try {
    handlerPromise ??= loadHandler();
    const handler = await handlerPromise;
    const result = await currentRequestId.run(requestId, () => callHandler(handler, JSON.parse(event), context));
    // Lambda returns the JSON serialization of the result; undefined becomes null.
    parentPort.postMessage({ id, ok: true, result: JSON.stringify(result) ?? 'null' });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: toLambdaError(error) });
  }
});

// The init phase, as Lambda runs it: the handler's module loads once, before the first invocation and
// outside its timeout; message id 0 tells the runtime how it went.
handlerPromise = loadHandler();
handlerPromise.then(
  () => parentPort.postMessage({ id: 0, ok: true }),
  (error) => parentPort.postMessage({ id: 0, ok: false, error: toLambdaError(error) }),
);
