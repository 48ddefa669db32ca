/**
 * The built client as the server serves it: no source map is public (the build writes them beside the served folder,
 * the JS names none, and any *.map asked for is a 404), hashed chunks are cached for good, and a chunk that is not
 * there (a tab older than the last deploy) is a 404 rather than the app's HTML, so the client knows to reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClient, type ClientBuild } from '../support/client-build.js';
import { startTestServer, type TestServer } from '../support/server.js';

let build: ClientBuild;
let t: TestServer;
let js: string[];

beforeAll(async () => {
  build = buildClient();
  js = fs.readdirSync(path.join(build.clientDir, 'assets')).filter((f) => f.endsWith('.js'));
  t = await startTestServer({ clientDir: build.clientDir });
}, 120_000);

afterAll(async () => {
  await t?.close();
  build?.remove();
});

describe('built client, as served', () => {
  it('is split into chunks and writes its source maps outside the served folder only', () => {
    expect(js.length).toBeGreaterThan(10);
    const served = fs.readdirSync(build.clientDir, { recursive: true }).map(String);
    expect(served.filter((f) => f.endsWith('.map'))).toEqual([]);
    const maps = fs.readdirSync(path.join(build.mapsDir, 'assets'));
    // Every chunk made from source has its map there (the bundler's own small runtime chunk has no source to map).
    for (const f of js.filter((n) => !n.startsWith('rolldown-runtime-'))) expect(maps, `a private map for ${f}`).toContain(`${f}.map`);
  });

  it('serves every JS chunk without a sourceMappingURL, and answers 404 for its .map', async () => {
    for (const f of js) {
      const res = await fetch(`${t.baseUrl}/assets/${f}`);
      expect(res.status, f).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(await res.text(), f).not.toMatch(/sourceMappingURL/);
      const map = await fetch(`${t.baseUrl}/assets/${f}.map`);
      expect(map.status, `${f}.map`).toBe(404);
      expect(map.headers.get('content-type')).toMatch(/json/);
    }
  });

  it('answers 404 for a .map even when one is put in the served folder by hand', async () => {
    const first = js[0] as string;
    fs.copyFileSync(path.join(build.mapsDir, 'assets', `${first}.map`), path.join(build.clientDir, 'assets', `${first}.map`));
    try {
      expect((await fetch(`${t.baseUrl}/assets/${first}.map`)).status).toBe(404);
      expect((await fetch(`${t.baseUrl}/assets/${first.toUpperCase()}.MAP`)).status).toBe(404);
    } finally {
      fs.rmSync(path.join(build.clientDir, 'assets', `${first}.map`));
    }
  });

  it('caches hashed chunks for good, and answers a missing chunk with 404, not the app shell', async () => {
    const chunk = await fetch(`${t.baseUrl}/assets/${js[0] as string}`);
    expect(chunk.headers.get('cache-control')).toMatch(/immutable/);
    const gone = await fetch(`${t.baseUrl}/assets/ChartsPage-0ld0ld0.js`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).not.toMatch(/<div id="root">/);
  });

  it('still serves the app shell for a page URL, naming only files that exist', async () => {
    const res = await fetch(`${t.baseUrl}/charts`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const named = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(0);
    for (const f of named) expect(fs.existsSync(path.join(build.clientDir, f)), f).toBe(true);
  });
});
