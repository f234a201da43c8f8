/** The proof queue on each store: states, one taker per job, fenced ends, expiry and retry. */
import { afterEach, describe, expect, it } from 'vitest'
import { proofFile } from '../../circuits/proof-file.ts'
import type { Database } from '../../relayer/store/database.ts'
import { BACKENDS } from '../../test/helpers/databases.ts'
import { type ProofJobData, ProofQueue } from './queue.ts'

const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const job = (n: number): ProofJobData => ({
  account: ACCOUNT,
  epoch: String(n),
  chain: null,
  input: { epoch: String(n) },
})

describe.each(BACKENDS)('the proof queue on %s', (_, open) => {
  let cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c()
    cleanup = []
  })
  const queueOn = async (options = {}) => {
    const { db, cleanup: close } = await open()
    cleanup.push(close)
    const queue = await ProofQueue.open(db, options)
    cleanup.push(() => queue.stop())
    return { db, queue }
  }

  it('queues, hands each job to one taker, and ends it once', async () => {
    const { db, queue } = await queueOn()
    const id = await queue.send(job(4))
    expect(await queue.get(id)).toMatchObject({ id, state: 'queued', epoch: '4', chain: '' })
    // a second queue on the same store (another worker) sees the same job
    const other = await ProofQueue.open(db as Database)
    cleanup.push(() => other.stop())
    const [a, b] = await Promise.all([queue.take(), other.take()])
    const taken = [a, b].filter((j) => j !== undefined)
    expect(taken).toHaveLength(1)
    expect(await queue.get(id)).toMatchObject({ state: 'proving', attempts: 1 })
    const signals = ['1', '1', '5', '6', '4', '9']
    const proof = proofFile(
      {
        pi_a: ['1', '2', '1'],
        pi_b: [
          ['1', '2'],
          ['3', '4'],
          ['1', '0'],
        ],
        pi_c: ['5', '6', '1'],
        protocol: 'groth16',
        curve: 'bn128',
      },
      signals,
    )
    expect(await other.complete(taken[0]!, { proof })).toBe(true)
    expect(await queue.complete(taken[0]!, { proof })).toBe(false)
    expect(await queue.fail(taken[0]!, { error: 'late' })).toBe(false)
    // jsonb keeps no key order: the file comes back as proofFile writes it
    const done = await queue.get(id)
    expect(done).toMatchObject({ state: 'done', proof: { publicSignals: signals } })
    expect(JSON.stringify(done!.proof)).toBe(JSON.stringify(proof))
    expect(await queue.get('00000000-0000-0000-0000-000000000000')).toBeUndefined()
    expect(await queue.get('nope')).toBeUndefined()
  })

  it('retries an attempt that expired, and fences the old attempt out', async () => {
    const { queue } = await queueOn({ expireInSeconds: 1, maintenanceIntervalSeconds: 1 })
    const id = await queue.send(job(1))
    const first = (await queue.take())!
    let second = await queue.take()
    for (let i = 0; !second && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200))
      second = await queue.take()
    }
    expect(second).toMatchObject({ id, attempt: first.attempt + 1 })
    expect(await queue.complete(first, { error: 'stale' })).toBe(false)
    expect(await queue.fail(second!, { error: 'the circuit rejects this witness' })).toBe(true)
    expect(await queue.get(id)).toMatchObject({
      state: 'failed',
      error: 'the circuit rejects this witness',
      attempts: 2,
    })
  }, 60_000)
})
