/**
 * Who is signed in: the ID token (kept for this tab only, in sessionStorage) and the person it names.
 * Locally the runtime's issuer signs tokens for the demo users; in the cloud Cognito does (cognito.ts).
 */
export interface SessionUser {
  id: string;
  name: string;
  email?: string;
  roles: string[];
  departmentId?: string;
  /** the user's profile zone; times are shown in it */
  timeZone?: string;
}

export interface Session {
  token: string;
  user: SessionUser;
  /** epoch seconds */
  expiresAt: number;
}

const KEY = 'tradeflow.session';

function decodePart(part: string): Record<string, unknown> {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** The person an ID token names (read, not verified: the API verifies every call). */
export function sessionFromToken(token: string): Session {
  const claims = decodePart(token.split('.')[1] ?? '');
  const str = (name: string) => (typeof claims[name] === 'string' ? (claims[name] as string) : undefined);
  const groups = claims['cognito:groups'];
  const id = str('cognito:username') ?? str('sub') ?? 'unknown';
  return {
    token,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
    user: {
      id,
      name: str('name') ?? str('email') ?? id,
      email: str('email'),
      roles: Array.isArray(groups) ? groups.map(String) : [],
      departmentId: str('custom:departmentId'),
      timeZone: str('zoneinfo'),
    },
  };
}

export function storedSession(now = Date.now()): Session | undefined {
  const token = globalThis.sessionStorage?.getItem(KEY);
  if (!token) return undefined;
  try {
    const session = sessionFromToken(token);
    return session.expiresAt * 1000 > now ? session : undefined;
  } catch {
    return undefined;
  }
}

export function storeSession(token: string): Session {
  const session = sessionFromToken(token);
  sessionStorage.setItem(KEY, token);
  return session;
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** Local runtime: the demo people and a token for one of them. */
export interface DemoUser { id: string; name: string; roles: string[]; departmentId: string }

export async function demoUsers(): Promise<DemoUser[]> {
  const response = await fetch('/_local/users');
  if (!response.ok) throw new Error(`the local runtime did not list its demo users (${response.status})`);
  return (await response.json()) as DemoUser[];
}

export async function localToken(userIdOrRole: string): Promise<string> {
  const response = await fetch(`/_local/token?user=${encodeURIComponent(userIdOrRole)}&format=text`);
  if (!response.ok) throw new Error(await response.text());
  return response.text();
}
