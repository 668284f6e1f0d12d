/**
 * Where the console runs. The cloud deployment writes /app/config.json (the API's URL and the Cognito
 * user pool); without it the console is on the local runtime, same origin as the API, with demo sign-in.
 */
export type ConsoleConfig =
  | { mode: 'local'; apiUrl: '' }
  | { mode: 'cognito'; apiUrl: string; region: string; userPoolId: string; clientId: string };

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { headers: { accept: 'application/json' } });
    if (response.ok && response.headers.get('content-type')?.includes('json')) {
      const config = (await response.json()) as Partial<ConsoleConfig>;
      if (config.mode === 'cognito' && config.apiUrl && config.region && config.userPoolId && config.clientId) {
        return { mode: 'cognito', apiUrl: config.apiUrl.replace(/\/$/, ''), region: config.region, userPoolId: config.userPoolId, clientId: config.clientId };
      }
    }
  } catch {
    // no config: local
  }
  return { mode: 'local', apiUrl: '' };
}
