/** how long a local runtime has to answer one request before a test gives up on it */
export const ANSWER_DEADLINE_MS = 30_000;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** how long a request asks the runtime to hold it before answering: the idle probe's `waitSeconds` */
const heldFor = (url: string) => (Number(new URL(url).searchParams.get('waitSeconds')) || 0) * 1000;

/**
 * `fetch` to a local runtime with a deadline: a request it has not answered, body included, within
 * `answerWithinMs` (plus what the request asks it to wait) fails naming the request, rather than
 * holding the test up to its own timeout (undici waits 300 s). The body is read here, so the answer is whole.
 */
export async function fetchWithin(url: string, init: RequestInit = {}, answerWithinMs = ANSWER_DEADLINE_MS): Promise<Response> {
  const deadlineMs = answerWithinMs + heldFor(url);
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(deadlineMs) });
    const body = await response.arrayBuffer();
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    if ((error as Error).name !== 'TimeoutError') throw error;
    throw new Error(`${init.method ?? 'GET'} ${url}: no answer within ${deadlineMs / 1000} s`, { cause: error });
  }
}
