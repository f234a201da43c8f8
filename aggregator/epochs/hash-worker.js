// A leaf-hashing worker's entry. Plain JavaScript, because a worker thread
// starts without the TypeScript loader: it registers tsx, then loads the hasher.
import { createRequire } from 'node:module'
import { register } from 'tsx/esm/api'

// circomlibjs's field library loads web-worker, which, loaded off the main thread, takes
// its thread for a web worker of its own and wants that worker's data. Its Poseidon runs
// single-threaded and never starts a worker: load web-worker once as the main thread would,
// so the import below finds it loaded.
const require = createRequire(import.meta.url)
const threads = require('node:worker_threads')
const isMain = threads.isMainThread
threads.isMainThread = true
try {
  require('web-worker')
} finally {
  threads.isMainThread = isMain
}

register()
const { poseidonHasher } = await import('../../circuits/poseidon.ts')
const hash = await poseidonHasher()

/** Poseidon of each input list, in order. */
export default function hashMany(/** @type {bigint[][]} */ inputs) {
  return inputs.map((xs) => hash(xs))
}
