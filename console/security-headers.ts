/**
 * The console's security headers, one source for the local server and CloudFront's response headers
 * policy: a strict content security policy (only the console's own scripts and styles; API calls to the
 * console's origin and, in the cloud, the API's and Cognito's), no framing, no sniffing, no referrer
 * leaks. Plain TypeScript: imported by local/ and infra/ as well as by nothing in the browser.
 */
export function contentSecurityPolicy(connectTo: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${connectTo.map((origin) => ` ${origin}`).join('')}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
} as const;
