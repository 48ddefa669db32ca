/**
 * GET /api/v1/openapi.json: the OpenAPI 3.1 description of this API (server/openapi/document.ts). Public: it says
 * what shapes requests and answers have, nothing about the data. Built on first request, when every route has been
 * added, and kept for the life of the process.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Router } from 'express';
import { openApiDocument, OPENAPI_VERSION } from '../openapi/document.js';
import { projectRoot } from '../paths.js';
import type { RouteTable } from './access.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';
/** The media type the OpenAPI Initiative registers for an OpenAPI document in JSON. */
export const OPENAPI_MEDIA_TYPE = `application/vnd.oai.openapi+json;version=${OPENAPI_VERSION}`;

function productVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export function openApiRoutes(routes: RouteTable): Router {
  const router = routes.router('API description');
  let text: string | undefined;
  routes.add(router, { method: 'get', path: OPENAPI_PATH, audiences: 'public', summary: 'this API described in OpenAPI 3.1 (JSON)' }, (_req, res) => {
    text ??= JSON.stringify(openApiDocument(routes.declarations, { version: productVersion() }));
    // Shapes only, no data: any page may load it (Swagger UI, an editor), and it may be cached and revalidated.
    res.set({ 'Content-Type': OPENAPI_MEDIA_TYPE, 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' });
    res.send(text);
  });
  return router;
}
