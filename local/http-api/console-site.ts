import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { contentSecurityPolicy, SECURITY_HEADERS } from '../../console/security-headers';
import type { HttpResponse } from './response';

/**
 * The web console's build (console/dist), served by the local API's server on its own port: `/` sends
 * the browser to `/app/`, the console's pages live under `/app/` (the single page answers every one of
 * them), its files under `/app/assets/`, and `/app/config.json` says the console runs locally. No API
 * route starts with /app, so the two never meet. CloudFront lays the cloud out the same way
 * (infra/constructs/web-console.ts).
 */
export interface ConsoleSite {
  /** the response for a GET or HEAD of this path, or undefined when the path is the API's */
  serve(method: string, rawPath: string): HttpResponse | undefined;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};
const HEADERS = { 'content-security-policy': contentSecurityPolicy(), ...SECURITY_HEADERS };
const LOCAL_CONFIG: HttpResponse = {
  statusCode: 200,
  headers: { ...HEADERS, 'content-type': 'application/json', 'cache-control': 'no-cache' },
  body: Buffer.from(JSON.stringify({ mode: 'local' })),
};

export function consoleSite(distDir: string): ConsoleSite {
  const root = path.resolve(distDir);
  const file = (relative: string): HttpResponse | undefined => {
    const full = path.resolve(root, relative);
    if (full !== root && !full.startsWith(root + path.sep)) return undefined;
    if (!existsSync(full) || !statSync(full).isFile()) return undefined;
    return {
      statusCode: 200,
      headers: {
        ...HEADERS,
        'content-type': TYPES[path.extname(full)] ?? 'application/octet-stream',
        // hashed file names never change; the page itself is always asked again
        'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
      body: readFileSync(full),
    };
  };
  return {
    serve(method, rawPath) {
      if (method !== 'GET' && method !== 'HEAD') return undefined;
      if (rawPath === '/' || rawPath === '/app') return { statusCode: 302, headers: { location: '/app/' }, body: Buffer.alloc(0) };
      if (!rawPath.startsWith('/app/')) return undefined;
      let relative: string;
      try {
        relative = decodeURIComponent(rawPath.slice('/app/'.length));
      } catch {
        return { statusCode: 400, headers: { 'content-type': 'text/plain' }, body: Buffer.from('bad path') };
      }
      // the cloud deployment writes config.json (the user pool to sign in with); here the console is local
      if (relative === 'config.json') return LOCAL_CONFIG;
      const found = relative && !relative.endsWith('/') ? file(relative) : undefined;
      if (found) return found;
      // a missing asset is a 404; any other path under /app/ is a page of the single-page app
      if (relative.startsWith('assets/') || path.extname(relative)) return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Not Found') };
      return file('index.html') ?? {
        statusCode: 503, headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: Buffer.from('The console is not built: run `npm start` (it builds console/dist) or `npx vite build --config console/vite.config.ts`.'),
      };
    },
  };
}
