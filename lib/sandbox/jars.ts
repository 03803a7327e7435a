// The Kafka software a sandbox runs: KAFKA_HOME's libs when set, otherwise the locked jar set of the version,
// downloaded once from Maven Central over HTTPS, checked against the lock's SHA-256 and size, and cached.

import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { SandboxConfig } from './config.ts'
import { SandboxError } from './errors.ts'
import lock392 from './locks/kafka-3.9.2.json' with { type: 'json' }
import lock431 from './locks/kafka-4.3.1.json' with { type: 'json' }
import type { LoggingBackend } from './versions.ts'
import { loggingBackend } from './versions.ts'

/** One pinned artifact: its repository path, and the digest and size every download must match. */
export interface LockedJar {
  readonly groupId: string
  readonly artifactId: string
  readonly version: string
  readonly classifier?: string
  readonly path: string
  readonly sha256: string
  readonly size: number
}

export interface JarLock {
  readonly kafka: string
  readonly logging: LoggingBackend
  readonly jars: readonly LockedJar[]
}

const locks: Readonly<Record<string, unknown>> = { '4.3.1': lock431, '3.9.2': lock392 }

/** The jars, classpath and logging backend a sandbox's JVMs run with. */
export interface KafkaSoftware {
  readonly version: string
  /** A java -cp value: a folder wildcard. */
  readonly classpath: string
  readonly logging: LoggingBackend
  readonly source: 'kafka-home' | 'cache' | 'download'
}

export interface FetchOptions {
  readonly onProgress?: (line: string) => void
  readonly signal?: AbortSignal
  /** Parallel downloads. */
  readonly concurrency?: number
}

/** The checked lock of a supported version; throws a SandboxError if it is missing or malformed. */
export function jarLock(version: string): JarLock {
  const raw = locks[version]
  if (raw === undefined) throw new SandboxError(`no jar lock for Kafka ${version} — use one of ${Object.keys(locks).join(', ')}`, 2)
  return checkLock(raw, version)
}

/** Validates a parsed lock file: every entry a repository path ending in .jar, a 64-hex SHA-256, a positive size, unique file names. */
export function checkLock(raw: unknown, version: string): JarLock {
  const fail = (why: string): never => {
    throw new SandboxError(`the jar lock for Kafka ${version} is damaged (${why}) — regenerate it with \`node scripts/lock-kafka-jars.mjs ${version}\``)
  }
  if (typeof raw !== 'object' || raw === null) return fail('not an object')
  const lock = raw as Partial<JarLock>
  if (lock.kafka !== version) fail(`it is for version ${String(lock.kafka)}`)
  if (lock.logging !== loggingBackend(version)) fail(`logging backend ${String(lock.logging)}`)
  if (!Array.isArray(lock.jars) || lock.jars.length === 0) return fail('no jars')
  const names = new Set<string>()
  for (const jar of lock.jars as Partial<LockedJar>[]) {
    if (typeof jar.path !== 'string' || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)+\.jar$/.test(jar.path) || jar.path.includes('..'))
      fail(`bad path ${String(jar.path)}`)
    if (typeof jar.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(jar.sha256)) fail(`bad sha256 for ${jar.path}`)
    if (typeof jar.size !== 'number' || !Number.isInteger(jar.size) || jar.size <= 0) fail(`bad size for ${jar.path}`)
    const name = jarFileName(jar as LockedJar)
    if (names.has(name)) fail(`two jars named ${name}`)
    names.add(name)
  }
  const hasBroker = (lock.jars as LockedJar[]).some((jar) => jar.artifactId === 'kafka_2.13' && jar.version === version)
  if (!hasBroker) fail('no kafka_2.13 jar')
  return lock as JarLock
}

export function jarFileName(jar: Pick<LockedJar, 'path'>): string {
  return jar.path.slice(jar.path.lastIndexOf('/') + 1)
}

/** Makes the Kafka software of the configured version available, downloading what the cache lacks. */
export async function ensureKafkaSoftware(config: SandboxConfig, options: FetchOptions = {}): Promise<KafkaSoftware> {
  if (config.kafkaHome) {
    return { version: config.kafkaVersion, classpath: join(config.kafkaHome, 'libs', '*'), logging: loggingBackend(config.kafkaVersion), source: 'kafka-home' }
  }
  const lock = jarLock(config.kafkaVersion)
  const dir = join(config.jarCacheDir, config.kafkaVersion)
  const source = await fetchLockedJars(lock, dir, config.mavenRepository, options)
  return { version: lock.kafka, classpath: join(dir, '*'), logging: lock.logging, source }
}

/** Makes `dir` hold exactly the verified jars of `lock`, downloading only what is missing or wrong. */
export async function fetchLockedJars(lock: JarLock, dir: string, repository: string, options: FetchOptions = {}): Promise<'cache' | 'download'> {
  const marker = join(dir, '.complete')
  const digest = lockDigest(lock)
  if ((await readFile(marker, 'utf8').catch(() => '')) === (await cacheFingerprint(dir, lock, digest))) return 'cache'
  await mkdir(dir, { recursive: true })
  const missing: LockedJar[] = []
  for (const jar of lock.jars) if (!(await verifiedFile(join(dir, jarFileName(jar)), jar))) missing.push(jar)
  if (missing.length > 0) await download(missing, dir, repository, lock.kafka, options)
  // The folder is the classpath (dir/*): a jar the lock does not name must not be on it.
  const expected = new Set(lock.jars.map(jarFileName))
  for (const file of await readdir(dir)) if (file.endsWith('.jar') && !expected.has(file)) await rm(join(dir, file), { force: true })
  const fingerprint = await cacheFingerprint(dir, lock, digest)
  if (fingerprint !== null) await writeFile(marker, fingerprint)
  return missing.length > 0 ? 'download' : 'cache'
}

function lockDigest(lock: JarLock): string {
  return createHash('sha256')
    .update(lock.jars.map((jar) => `${jar.path} ${jar.sha256} ${jar.size}`).join('\n'))
    .digest('hex')
}

// The lock's digest plus each verified file's size and modification time: a later start that finds the same
// fingerprint skips hashing 55 MB, while a jar replaced or edited since the last check is hashed again.
async function cacheFingerprint(dir: string, lock: JarLock, digest: string): Promise<string | null> {
  const lines = [digest]
  for (const jar of lock.jars) {
    const info = await stat(join(dir, jarFileName(jar))).catch(() => null)
    if (info?.size !== jar.size) return null
    lines.push(`${jarFileName(jar)} ${info.size} ${info.mtimeMs}`)
  }
  return lines.join('\n')
}

async function verifiedFile(file: string, jar: LockedJar): Promise<boolean> {
  const info = await stat(file).catch(() => null)
  if (info?.size !== jar.size) return false
  const hash = createHash('sha256')
  await pipeline(createReadStream(file), hash)
  return hash.digest('hex') === jar.sha256
}

async function download(jars: readonly LockedJar[], dir: string, repository: string, version: string, options: FetchOptions): Promise<void> {
  const progress = options.onProgress ?? (() => {})
  const totalBytes = jars.reduce((sum, jar) => sum + jar.size, 0)
  const started = Date.now()
  progress(`downloading Kafka ${version}: ${jars.length} jars, ${megabytes(totalBytes)} from ${repository}`)
  let doneBytes = 0
  let doneJars = 0
  let nextReport = 0.25
  const queue = [...jars]
  const failure = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, failure.signal]) : failure.signal
  const worker = async () => {
    for (let jar = queue.shift(); jar; jar = queue.shift()) {
      await downloadOne(jar, dir, repository, version, signal)
      doneBytes += jar.size
      doneJars++
      if (doneBytes / totalBytes >= nextReport && doneJars < jars.length) {
        progress(`downloaded ${doneJars}/${jars.length} jars (${megabytes(doneBytes)} of ${megabytes(totalBytes)})`)
        while (nextReport <= doneBytes / totalBytes) nextReport += 0.25
      }
    }
  }
  const workers = Array.from({ length: Math.min(options.concurrency ?? 6, jars.length) }, () =>
    worker().catch((error: unknown) => {
      failure.abort(error)
      throw error
    }),
  )
  const results = await Promise.allSettled(workers)
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (rejected) {
    if (options.signal?.aborted) throw new SandboxError('jar download interrupted; nothing is half-written — run the command again to resume', 1)
    const first = results.map((r) => (r.status === 'rejected' ? r.reason : null)).find((reason) => reason instanceof SandboxError)
    throw first ?? rejected.reason
  }
  progress(`downloaded Kafka ${version} (${megabytes(totalBytes)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

async function downloadOne(jar: LockedJar, dir: string, repository: string, version: string, signal: AbortSignal): Promise<void> {
  const url = `${repository}/${jar.path}`
  const target = join(dir, jarFileName(jar))
  const partial = `${target}.${process.pid}.partial`
  const attempts = 3
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(120_000)]) })
      if (!response.ok || !response.body) {
        const error = new SandboxError(
          `cannot download Kafka ${version} jars: ${url} answered HTTP ${response.status} — check the network, or set KAFKA_HOME to an unpacked Kafka distribution`,
        )
        if (response.status >= 500) throw Object.assign(error, { retry: true })
        throw error
      }
      const hash = createHash('sha256')
      let size = 0
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk)
          size += chunk.length
          callback(null, chunk)
        },
      })
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), measure, createWriteStream(partial), { signal })
      const sha256 = hash.digest('hex')
      if (size !== jar.size || sha256 !== jar.sha256) {
        throw new SandboxError(
          `${url} does not match the lock (got ${size} bytes, sha256 ${sha256.slice(0, 12)}…; expected ${jar.size} bytes, ${jar.sha256.slice(0, 12)}…) — a proxy or mirror altered it; nothing was used`,
        )
      }
      await rename(partial, target)
      return
    } catch (error) {
      await rm(partial, { force: true })
      if (signal.aborted) throw error
      const retryable = !(error instanceof SandboxError) || (error as { retry?: boolean }).retry === true
      if (!retryable) throw error
      if (attempt >= attempts) {
        if (error instanceof SandboxError) throw error
        const reason = describeNetworkError(error)
        throw new SandboxError(
          `cannot download Kafka ${version} jars from ${repository} (${jarFileName(jar)}: ${reason}) — check the network or proxy, or set KAFKA_HOME to an unpacked Kafka distribution`,
          1,
          { cause: error },
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt))
    }
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out'
  // fetch wraps the socket error (ECONNREFUSED, ENOTFOUND...) in one or more causes: report the innermost.
  let innermost = error
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('E')) return code
    innermost = cause
    cause = (cause instanceof AggregateError ? cause.errors[0] : undefined) ?? (cause as { cause?: unknown }).cause
  }
  return innermost instanceof Error ? innermost.message.split('\n')[0]! : String(innermost)
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}
