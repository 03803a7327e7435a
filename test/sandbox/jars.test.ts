import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JarLock } from '../../lib/sandbox/jars.ts'
import { checkLock, fetchLockedJars, jarLock } from '../../lib/sandbox/jars.ts'

describe('the committed jar locks', () => {
  it('4.3.1: broker, CLI tools and the log4j2 binding for slf4j 1.7, each with a SHA-256 and size', () => {
    const lock = jarLock('4.3.1')
    const names = lock.jars.map((jar) => `${jar.groupId}:${jar.artifactId}:${jar.version}`)
    expect(names).toEqual(
      expect.arrayContaining([
        'org.apache.kafka:kafka_2.13:4.3.1',
        'org.apache.kafka:kafka-tools:4.3.1',
        'org.apache.logging.log4j:log4j-slf4j-impl:2.25.4',
        'org.apache.logging.log4j:log4j-core:2.25.4',
      ]),
    )
    expect(names.some((name) => name.includes('log4j-slf4j2-impl'))).toBe(false)
    expect(lock.logging).toBe('log4j2')
  })

  it('3.9.2: broker, CLI tools and the reload4j binding', () => {
    const lock = jarLock('3.9.2')
    const names = lock.jars.map((jar) => `${jar.groupId}:${jar.artifactId}:${jar.version}`)
    expect(names).toEqual(
      expect.arrayContaining([
        'org.apache.kafka:kafka_2.13:3.9.2',
        'org.apache.kafka:kafka-tools:3.9.2',
        'org.slf4j:slf4j-reload4j:1.7.36',
        'ch.qos.reload4j:reload4j:1.2.25',
      ]),
    )
    expect(lock.logging).toBe('reload4j')
  })

  it('refuses unknown versions and damaged locks with a pointer to the lock script', () => {
    expect(() => jarLock('4.4.0')).toThrow(/no jar lock for Kafka 4.4.0/)
    const good = jarLock('4.3.1')
    const damaged = (change: (jars: Record<string, unknown>[]) => void) => {
      const copy = JSON.parse(JSON.stringify(good)) as { jars: Record<string, unknown>[] }
      change(copy.jars)
      return () => checkLock(copy, '4.3.1')
    }
    expect(damaged((jars) => (jars[0]!.sha256 = 'abc'))).toThrow(/bad sha256 .*lock-kafka-jars\.mjs 4\.3\.1/)
    expect(damaged((jars) => (jars[0]!.path = '../../etc/passwd.jar'))).toThrow(/bad path/)
    expect(damaged((jars) => (jars[0]!.size = 0))).toThrow(/bad size/)
    expect(damaged((jars) => jars.push({ ...jars[0]! }))).toThrow(/two jars named/)
    expect(() => checkLock({ ...good, kafka: '3.9.2' }, '4.3.1')).toThrow(/it is for version 3.9.2/)
  })
})

describe('fetching locked jars from a repository', () => {
  const files = new Map<string, Buffer>()
  const requests: string[] = []
  let server: Server
  let repository: string

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url!)
      const body = files.get(request.url!)
      if (!body) {
        response.writeHead(404).end()
        return
      }
      response.writeHead(200, { 'content-length': body.length }).end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    repository = `http://127.0.0.1:${(server.address() as { port: number }).port}/maven2`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  function publish(path: string, text: string) {
    const body = Buffer.from(text)
    files.set(`/maven2/${path}`, body)
    return { path, sha256: createHash('sha256').update(body).digest('hex'), size: body.length }
  }

  function lockOf(...jars: { path: string; sha256: string; size: number }[]): JarLock {
    return { kafka: '9.9.9', logging: 'log4j2', jars: jars.map((jar) => ({ groupId: 'g', artifactId: jar.path.split('/').at(-3)!, version: '1', ...jar })) }
  }

  it('downloads every jar, verifies it, and serves the next call from the cache without the network', async () => {
    const lock = lockOf(publish('g/a/1/a-1.jar', 'alpha'), publish('g/b/1/b-1.jar', 'bravo'), publish('g/c/1/c-1.jar', 'charlie'))
    const dir = mkdtempSync(join(tmpdir(), 'jars-'))
    writeFileSync(join(dir, 'stale-0.jar'), 'not in the lock')
    const progress: string[] = []
    expect(await fetchLockedJars(lock, dir, repository, { onProgress: (line) => progress.push(line), concurrency: 2 })).toBe('download')
    expect(
      readdirSync(dir)
        .filter((file) => file.endsWith('.jar'))
        .sort(),
    ).toEqual(['a-1.jar', 'b-1.jar', 'c-1.jar'])
    expect(readFileSync(join(dir, 'b-1.jar'), 'utf8')).toBe('bravo')
    expect(progress[0]).toMatch(/^downloading Kafka 9\.9\.9: 3 jars/)
    requests.length = 0
    expect(await fetchLockedJars(lock, dir, repository)).toBe('cache')
    expect(requests).toEqual([])
  })

  it('re-downloads only a jar that was damaged in the cache', async () => {
    const lock = lockOf(publish('g/d/1/d-1.jar', 'delta'), publish('g/e/1/e-1.jar', 'echo'))
    const dir = mkdtempSync(join(tmpdir(), 'jars-'))
    await fetchLockedJars(lock, dir, repository)
    writeFileSync(join(dir, 'e-1.jar'), 'ECHO')
    requests.length = 0
    expect(await fetchLockedJars(lock, dir, repository)).toBe('download')
    expect(requests).toEqual(['/maven2/g/e/1/e-1.jar'])
    expect(readFileSync(join(dir, 'e-1.jar'), 'utf8')).toBe('echo')
  })

  it('rejects a jar whose bytes differ from the lock and leaves nothing behind', async () => {
    const genuine = publish('g/f/1/f-1.jar', 'foxtrot')
    files.set('/maven2/g/f/1/f-1.jar', Buffer.from('f0xtrot'))
    const dir = mkdtempSync(join(tmpdir(), 'jars-'))
    await expect(fetchLockedJars(lockOf(genuine), dir, repository)).rejects.toThrow(/does not match the lock .* nothing was used/)
    expect(readdirSync(dir)).toEqual([])
  })

  it('names the missing artifact and the way out when the repository answers 404', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jars-'))
    const lock = lockOf({ path: 'g/x/1/x-1.jar', sha256: 'a'.repeat(64), size: 3 })
    await expect(fetchLockedJars(lock, dir, repository)).rejects.toThrow(/x-1\.jar answered HTTP 404 — .*KAFKA_HOME/)
  })

  it('fails with one line when the repository cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jars-'))
    const lock = lockOf({ path: 'g/y/1/y-1.jar', sha256: 'a'.repeat(64), size: 3 })
    const closed = createNetServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as { port: number }).port
    await new Promise((resolve) => closed.close(resolve))
    const error = (await fetchLockedJars(lock, dir, `http://127.0.0.1:${port}/maven2`).catch((caught: unknown) => caught)) as Error
    expect(error.message).toMatch(
      new RegExp(`^cannot download Kafka 9\\.9\\.9 jars from http://127\\.0\\.0\\.1:${port}/maven2 \\(y-1\\.jar: ECONNREFUSED\\) — check the network`),
    )
    expect(error.message).not.toContain('\n')
    expect(existsSync(join(dir, 'y-1.jar'))).toBe(false)
  })
})
