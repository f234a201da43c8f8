// The load generator of bench:orders, on its own thread so the service keeps
// its core: POSTs the bodies it is given to `url`, either closed loop (as fast
// as `concurrency` requests in flight allow) or open loop (at `rate` per
// second, whatever the answers take), and reports each answer's latency.
import { Agent, request } from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'

const { url, bodies, mode, concurrency = 128, rate = 1000 } = workerData

// node:http with keep-alive rather than fetch: fetch's own cost per request
// (streams, abort signals, header objects) capped the client below the server.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
const target = new URL(url)

function post(body) {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function closedLoop() {
  const results = new Array(bodies.length)
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const i = next++
        results[i] = await post(bodies[i])
      }
    }),
  )
  return { wallMs: performance.now() - started, results }
}

async function openLoop() {
  const started = performance.now()
  const pending = bodies.map(
    (body, i) =>
      new Promise((resolve) => {
        setTimeout(() => resolve(post(body)), (i * 1000) / rate)
      }),
  )
  const results = await Promise.all(pending)
  return { wallMs: performance.now() - started, results }
}

const outcome = mode === 'open' ? await openLoop() : await closedLoop()
parentPort.postMessage(outcome)
