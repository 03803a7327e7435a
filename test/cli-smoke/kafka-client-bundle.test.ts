// The built CLI talks to Kafka through a bundle of the client (scripts/bundle-kafka-client.mjs), not the
// package the sources import: an ES module for the commands tsc wrote and CommonJS for `status` (bundled as
// CommonJS itself). Each must offer everything the access layer takes, and work in a process of its own.

import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as fromSources from '../../lib/kafka/platformatic/client.ts'
import { launch, projectRoot, runtime } from '../support/launcher.ts'

/** A port on 127.0.0.1 that nothing listens on (taken from the kernel, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

const node = (process.versions as Record<string, string | undefined>).bun ? (process.env.npm_node_execpath ?? 'node') : process.execPath

describe(`the bundled Kafka client on ${runtime}`, () => {
  it.each(['client.js', 'client.cjs'])('%s exports every name the access layer imports, as the same kind of thing', async (file) => {
    const path = join(projectRoot, 'dist/lib/kafka/platformatic', file)
    // The CommonJS one as `status` loads it: required (an import() would add a `default` export).
    const bundled = (file.endsWith('.cjs') ? createRequire(import.meta.url)(path) : await import(pathToFileURL(path).href)) as Record<string, unknown>
    const kinds = (module: Record<string, unknown>) =>
      Object.fromEntries(
        Object.keys(module)
          .sort()
          .map((name) => [name, typeof module[name]]),
      )
    expect(kinds(bundled)).toEqual(kinds(fromSources as Record<string, unknown>))
    // The low-level API objects keep their shape: `.async(connection, ...)` is what the access layer calls.
    expect(typeof (bundled.listPartitionReassignmentsV0 as { api: { async: unknown } }).api.async).toBe('function')
  })

  // The CRC-32C addon and the WebAssembly codecs cost 40–300 ms at import; `status` checks and compresses nothing.
  it.each(['client.js', 'client.cjs'])('%s loads its CRC-32C and compression codecs on first use, and they work', (file) => {
    const script = `
      const loaded = () => Object.keys(require.cache).filter((p) => /wasm-utils|@node-rs/.test(p)).length
      import(${JSON.stringify(pathToFileURL(join(projectRoot, 'dist/lib/kafka/platformatic', file)).href)}).then((client) => {
        const atImport = loaded()
        const crc = client.crc32c(Buffer.from('123456789'))
        const afterCrc = loaded()
        const text = Buffer.from('status status status status')
        const roundTrips = [2, 3].map((bit) => {
          const codec = client.compressionsAlgorithmsByBitmask[bit]
          return codec.decompressSync(codec.compressSync(text)).equals(text)
        })
        process.stdout.write(JSON.stringify({ atImport, crc, afterCrc: afterCrc > 0, roundTrips, afterCodecs: loaded() > afterCrc }))
      })`
    const result = spawnSync(node, ['-e', script], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 })
    expect(result.status, result.stderr).toBe(0)
    // CRC-32C of "123456789" is 0xE3069283 (the check value of the Castagnoli polynomial).
    expect(JSON.parse(result.stdout)).toEqual({ atImport: 0, crc: 0xe3069283, afterCrc: true, roundTrips: [true, true], afterCodecs: true })
  })

  it('is a bundle, not a re-export of the whole package', async () => {
    const { readFileSync } = await import('node:fs')
    for (const file of ['client.js', 'client.cjs']) {
      const text = readFileSync(join(projectRoot, 'dist/lib/kafka/platformatic', file), 'utf8')
      expect(text).not.toMatch(/(from |require\()['"]@platformatic\/kafka['"]/)
      // The producer's option validators are what made the whole package slow to load.
      expect(text).not.toContain('produceOptionsValidator')
    }
    // status is bundled as CommonJS and requires the CommonJS client, not a copy of the package.
    const status = readFileSync(join(projectRoot, 'dist/lib/cli/status.cjs'), 'utf8')
    expect(status).toContain('require("../kafka/platformatic/client.cjs")')
    expect(status).not.toMatch(/require\(['"]@platformatic\/kafka['"]\)/)
  })

  it('reports an unreachable cluster on one line with exit 2', async () => {
    const port = await closedPort()
    const result = launch(['status', '--bootstrap-server', `127.0.0.1:${port}`])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toEqual([
      `runbook status: cannot reach 127.0.0.1:${port} (ECONNREFUSED) — check --bootstrap-server and that the brokers are up and reachable from here`,
    ])
  })
})
