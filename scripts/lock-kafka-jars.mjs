#!/usr/bin/env node
// Resolves, once and with Maven, the exact jar set that runs a Kafka broker and Kafka's own CLI for each
// supported version, and writes lib/sandbox/locks/kafka-<version>.json (coordinates, SHA-256, size).
// At run time the sandbox downloads exactly these files from Maven Central and checks every digest, so
// users need Java but never Maven.
//
//   node scripts/lock-kafka-jars.mjs            # every version below
//   node scripts/lock-kafka-jars.mjs 4.3.1      # one version
//
// Each local file is cross-checked against the .sha1 that Maven Central publishes beside it.

/* global fetch */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const repository = 'https://repo1.maven.org/maven2'
const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1'

// The broker (kafka_2.13) and the CLI (kafka-tools) do not bring a logging backend: each line needs its binding.
// slf4j is 1.7.x in every line, so 4.x takes log4j-slf4j-impl (not -slf4j2-), at the log4j-core version
// kafka-server already depends on; 3.9 takes reload4j.
const versions = {
  '4.3.1': {
    logging: 'log4j2',
    extra: [['org.apache.logging.log4j', 'log4j-slf4j-impl', '2.25.4']],
    mustMatch: { 'org.apache.logging.log4j:log4j-core': '2.25.4' },
  },
  '3.9.2': {
    logging: 'reload4j',
    extra: [
      ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
      ['ch.qos.reload4j', 'reload4j', '1.2.25'],
    ],
    mustMatch: {},
  },
}

const root = new URL('..', import.meta.url).pathname
const wanted = process.argv.slice(2)
for (const version of wanted.length ? wanted : Object.keys(versions)) {
  const spec = versions[version]
  if (!spec) throw new Error(`no jar recipe for Kafka ${version}; known: ${Object.keys(versions).join(', ')}`)
  const lock = await lockVersion(version, spec)
  const target = join(root, 'lib/sandbox/locks', `kafka-${version}.json`)
  writeFileSync(target, JSON.stringify(lock, null, 2) + '\n')
  const megabytes = lock.jars.reduce((sum, jar) => sum + jar.size, 0) / 1e6
  console.log(`${target}: ${lock.jars.length} jars, ${megabytes.toFixed(1)} MB`)
}

async function lockVersion(version, spec) {
  const work = mkdtempSync(join(tmpdir(), `kafka-lock-${version}-`))
  try {
    const dependency = ([groupId, artifactId, v]) =>
      `<dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${v}</version></dependency>`
    const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.runbook</groupId><artifactId>kafka-sandbox-${version}</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    ${dependency(['org.apache.kafka', 'kafka_2.13', version])}
    ${dependency(['org.apache.kafka', 'kafka-tools', version])}
    ${spec.extra.map(dependency).join('\n    ')}
  </dependencies>
</project>
`
    writeFileSync(join(work, 'pom.xml'), pom)
    const listFile = join(work, 'deps.txt')
    execFileSync(
      'mvn',
      ['-B', '-q', `${dependencyPlugin}:list`, '-DincludeScope=runtime', '-DoutputAbsoluteArtifactFilename=true', `-DoutputFile=${listFile}`],
      { cwd: work, stdio: 'inherit' },
    )
    const jars = parseDependencyList(readFileSync(listFile, 'utf8'))
    for (const [key, expected] of Object.entries(spec.mustMatch)) {
      const found = jars.find((jar) => `${jar.groupId}:${jar.artifactId}` === key)
      if (found?.version !== expected) throw new Error(`Kafka ${version}: expected ${key} ${expected}, Maven resolved ${found?.version ?? 'nothing'}`)
    }
    const names = new Set()
    const entries = []
    for (const jar of jars) {
      const fileName = `${jar.artifactId}-${jar.version}${jar.classifier ? `-${jar.classifier}` : ''}.jar`
      if (names.has(fileName)) throw new Error(`two artifacts share the file name ${fileName}`)
      names.add(fileName)
      const bytes = readFileSync(jar.path)
      const path = `${jar.groupId.replaceAll('.', '/')}/${jar.artifactId}/${jar.version}/${fileName}`
      const remoteSha1 = (await (await fetch(`${repository}/${path}.sha1`)).text()).trim().split(/\s+/)[0]
      const localSha1 = createHash('sha1').update(bytes).digest('hex')
      if (remoteSha1 !== localSha1) throw new Error(`${path}: local sha1 ${localSha1} differs from Maven Central's ${remoteSha1}`)
      entries.push({
        groupId: jar.groupId,
        artifactId: jar.artifactId,
        version: jar.version,
        ...(jar.classifier ? { classifier: jar.classifier } : {}),
        path,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: statSync(jar.path).size,
      })
    }
    entries.sort((a, b) => a.path.localeCompare(b.path))
    return { kafka: version, logging: spec.logging, repository, jars: entries }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

// Lines look like "   group:artifact:jar[:classifier]:version:scope:/abs/path.jar" (possibly with " -- module x").
function parseDependencyList(text) {
  const jars = []
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/ -- module .*$/, '')
    const parts = line.split(':')
    if (parts[2] !== 'jar' || (parts.length !== 6 && parts.length !== 7)) continue
    const [groupId, artifactId] = parts
    const classifier = parts.length === 7 ? parts[3] : undefined
    const version = parts.length === 7 ? parts[4] : parts[3]
    jars.push({ groupId, artifactId, classifier, version, path: parts[parts.length - 1] })
  }
  if (jars.length === 0) throw new Error('maven listed no jars')
  return jars
}
