// The built CLI talks to Kafka through a bundle of the client (scripts/bundle-kafka-client.mjs), not the
// package the sources import: it must offer everything the access layer takes, and work in a process of its own.

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

describe(`the bundled Kafka client on ${runtime}`, () => {
  it('exports every name the access layer imports, as the same kind of thing', async () => {
    const bundled = (await import(pathToFileURL(join(projectRoot, 'dist/lib/kafka/platformatic/client.js')).href)) as Record<string, unknown>
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

  it('is a bundle, not a re-export of the whole package', async () => {
    const { readFileSync } = await import('node:fs')
    const text = readFileSync(join(projectRoot, 'dist/lib/kafka/platformatic/client.js'), 'utf8')
    expect(text).not.toMatch(/from ['"]@platformatic\/kafka['"]/)
    // The producer's option validators are what made the whole package slow to load.
    expect(text).not.toContain('produceOptionsValidator')
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
