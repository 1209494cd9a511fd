/**
 * Serving the web app (packages/web, built by Vite) at `/`: hashed assets under /assets cached for a
 * year, everything else revalidated; any other GET of a non-API path answers index.html so the
 * app's own routes work on reload (single-page app fallback). The documents carry a strict
 * Content-Security-Policy: scripts, styles and images from this origin only, no inline code, no
 * framing; network access to this gateway (its API, and its read-only JSON-RPC endpoint `/rpc` at
 * its public URL, through which the browser reads the chain) and to the consortium's other gateways
 * (the custodians a k-of-n read asks). Never to the chain's own endpoint, which is private.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebAppOptions {
  /** The built app (index.html and assets/). */
  directory: string;
  /** Origins, besides this gateway's, that the app may connect to. */
  connectOrigins: () => Promise<string[]>;
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export function contentSecurityPolicy(connectOrigins: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self' ${connectOrigins.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The origin of a URL, or undefined for anything that is not http(s). */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Registers the static files; returns the fallback that answers index.html for app paths, or
 * undefined when the directory holds no built app.
 */
export async function registerWebApp(
  app: FastifyInstance,
  options: WebAppOptions,
): Promise<((request: FastifyRequest, reply: FastifyReply) => Promise<boolean>) | undefined> {
  const directory = resolve(options.directory);
  const indexPath = join(directory, 'index.html');
  if (!existsSync(indexPath)) return undefined;
  const indexHtml = await readFile(indexPath);
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/',
    wildcard: false,
    index: false,
    allowedPath: (path) => !path.startsWith('/api/') && !path.endsWith('index.html') && !path.includes('/.'),
    setHeaders(reply, path) {
      for (const [name, value] of Object.entries(securityHeaders)) reply.header(name, value);
      reply.header(
        'cache-control',
        path.includes(`${join('/', 'assets')}/`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      path === '/api' ||
      path.startsWith('/api/')
    )
      return false;
    if (path.startsWith('/assets/') || path.includes('/.') || /\.[a-z0-9]+$/i.test(path)) return false;
    const connect = (await options.connectOrigins()).filter(Boolean);
    await reply
      .status(200)
      .headers({
        ...securityHeaders,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': contentSecurityPolicy([...new Set(connect)]),
      })
      .send(indexHtml);
    return true;
  };
}
