/**
 * The request body bound. A body with a Content-Length is judged by that
 * header alone (Node's parser delivers exactly that many bytes, never more),
 * which leaves the body unread for the route: hono's own bodyLimit reads
 * `c.req.raw.body`, and on the Node adapter that builds a full web Request
 * for every request, a large share of a small POST's cost (bench:orders). A
 * chunked body, which has no length to trust, goes through hono's bodyLimit,
 * which counts it as it streams.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit'

export function bodyLimit(
  maxBytes: number,
  onError: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  const streaming = streamingBodyLimit({ maxSize: maxBytes, onError })
  return async (c, next) => {
    const length = c.req.header('content-length')
    if (length === undefined || c.req.header('transfer-encoding') !== undefined)
      return streaming(c, next)
    if (!/^\d+$/.test(length) || Number(length) > maxBytes) return onError(c)
    return next()
  }
}
