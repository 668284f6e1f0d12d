const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

/** Escapes text for HTML content and quoted attribute values. */
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"'`=]/g, (char) => ESCAPES[char]!);

/**
 * A small, self-contained HTML page (the pages a link in a mail opens): no scripts, no outside
 * resources, and headers that keep it out of frames and caches.
 */
export function htmlPage(status: number, title: string, bodyHtml: string) {
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    headers: {
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">` +
      `<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}` +
      `textarea{width:100%;min-height:5rem}button{margin:.5rem .5rem 0 0;padding:.5rem 1rem}</style></head>` +
      `<body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`,
  };
}
