import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { bodyLimit } from './body-limit.ts'

const LIMIT = 16

function app() {
  const a = new Hono()
  a.use(bodyLimit(LIMIT, (c) => c.json({ error: 'body_too_large' }, 413)))
  a.post('/', async (c) => c.text(`read ${(await c.req.text()).length}`))
  return a
}

/** A body with no length to trust: it arrives as a stream, so it is sent chunked. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += 5) c.enqueue(bytes.subarray(i, i + 5))
      c.close()
    },
  })
}

describe('bodyLimit', () => {
  it.each([
    { name: 'a declared length under the limit', size: LIMIT - 1, stream: false, status: 200 },
    { name: 'a declared length at the limit', size: LIMIT, stream: false, status: 200 },
    { name: 'a declared length over the limit', size: LIMIT + 1, stream: false, status: 413 },
    { name: 'a streamed body under the limit', size: LIMIT, stream: true, status: 200 },
    { name: 'a streamed body over the limit', size: LIMIT + 1, stream: true, status: 413 },
  ])('$name: $status', async ({ size, stream, status }) => {
    const body = 'x'.repeat(size)
    const res = await app().request('/', {
      method: 'POST',
      body: stream ? streamed(body) : body,
      headers: stream ? {} : { 'content-length': String(size) },
      ...(stream && { duplex: 'half' }),
    } as RequestInit)
    expect(res.status).toBe(status)
    if (status === 200) expect(await res.text()).toBe(`read ${size}`)
  })

  it('refuses a Content-Length that is not a number', async () => {
    const res = await app().request('/', {
      method: 'POST',
      body: 'x',
      headers: { 'content-length': '1e3' },
    })
    expect(res.status).toBe(413)
  })
})
