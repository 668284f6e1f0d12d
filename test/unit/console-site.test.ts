import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleSite } from '../../local/http-api/console-site';

/**
 * The console's paths, locally (the runtime's console site) and in the cloud (the CloudFront Function in
 * front of the distribution): the same pages, files and redirects in both homes.
 */
const dist = mkdtempSync(path.join(tmpdir(), 'console-dist-'));
mkdirSync(path.join(dist, 'assets'));
writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
afterAll(() => rmSync(dist, { recursive: true, force: true }));
const site = consoleSite(dist);

const cloudFrontHandler = runInNewContext(
  `${readFileSync(path.join(import.meta.dirname, '../../infra/constructs/console-paths.cloudfront.js'), 'utf8')}; handler`,
) as (event: { request: { uri: string } }) => { uri?: string; statusCode?: number; headers?: { location?: { value: string } } };

describe('the console\'s configuration on the local runtime', () => {
  it('answers /app/config.json with local mode, as JSON, so the browser asks for it without a 404', () => {
    const response = site.serve('GET', '/app/config.json')!;
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body.toString())).toEqual({ mode: 'local' });
  });
});

describe('the console\'s paths, locally and through CloudFront', () => {
  it.each(['/', '/app'])('%s sends the browser to /app/', (uri) => {
    expect(site.serve('GET', uri)).toMatchObject({ statusCode: 302, headers: { location: '/app/' } });
    expect(cloudFrontHandler({ request: { uri } })).toMatchObject({ statusCode: 302, headers: { location: { value: '/app/' } } });
  });

  it.each(['/app/', '/app/accounts/123', '/app/approvals/inbox/'])('%s is a page: the console\'s index.html answers', (uri) => {
    expect(site.serve('GET', uri)!.body.toString()).toContain('<title>console</title>');
    expect(cloudFrontHandler({ request: { uri } }).uri).toBe('/app/index.html');
  });

  it.each(['/app/assets/index-abc.js', '/app/config.json', '/app/assets/missing.js', '/app/favicon.ico'])('%s is a file, fetched as it is', (uri) => {
    expect(cloudFrontHandler({ request: { uri } }).uri).toBe(uri);
    expect(site.serve('GET', uri)!.body.toString()).not.toContain('<title>console</title>');
  });

  it.each(['/accounts/123', '/openapi.json', '/approvals'])('%s is the API\'s, untouched', (uri) => {
    expect(site.serve('GET', uri)).toBeUndefined();
    expect(cloudFrontHandler({ request: { uri } }).uri).toBe(uri);
  });
});
