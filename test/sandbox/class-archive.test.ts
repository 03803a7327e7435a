import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { classArchive } from '../../lib/sandbox/class-archive.ts'

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'class-archive-'))
  const archives = join(root, 'archives')
  for (const name of ['a.jar', 'b.jar']) writeFileSync(join(root, name), name)
  const parts = {
    java: '/usr/bin/java',
    javaVersion: '17.0.15',
    classpath: join(root, '*'),
    mainClass: 'org.apache.kafka.tools.TopicCommand',
    jvm: ['-Xmx256m'],
  }
  return { root, archives, parts }
}

/** What a JVM given ArchiveClassesAtExit does at a clean exit: writes the file it was told to. */
function writeAsJvm(options: readonly string[]) {
  const pending = options.find((o) => o.startsWith('-XX:ArchiveClassesAtExit='))!.split('=')[1]!
  writeFileSync(pending, 'archive')
}

describe('class archive for a Kafka tool', () => {
  it('first run writes one at exit, the next run maps it; CDS messages never reach stdout', () => {
    const { archives, parts } = setup()
    const first = classArchive(archives, parts)
    expect(first.jvmOptions).toContain('-Xlog:cds=off')
    expect(first.extraMs).toBeGreaterThan(0)
    writeAsJvm(first.jvmOptions)
    first.settle(0)
    expect(readdirSync(archives)).toEqual([expect.stringMatching(/^TopicCommand-[0-9a-f]{16}\.jsa$/)])
    const second = classArchive(archives, parts)
    expect(second.extraMs).toBe(0)
    expect(second.jvmOptions).toEqual(['-Xlog:cds=off', '-Xlog:cds+dynamic=off', `-XX:SharedArchiveFile=${join(archives, readdirSync(archives)[0]!)}`])
  })

  it('keeps nothing after a failed or killed run, and leaves no temporary file', () => {
    const { archives, parts } = setup()
    for (const exit of [1, null]) {
      const run = classArchive(archives, parts)
      writeAsJvm(run.jvmOptions)
      run.settle(exit)
    }
    expect(readdirSync(archives)).toEqual([])
    expect(classArchive(archives, parts).jvmOptions.some((o) => o.startsWith('-XX:ArchiveClassesAtExit='))).toBe(true)
  })

  it('a changed jar, JDK, main class or JVM option names another archive (the JVM would refuse the old one)', () => {
    const { root, archives, parts } = setup()
    const run = classArchive(archives, parts)
    writeAsJvm(run.jvmOptions)
    run.settle(0)
    const mapped = (p: typeof parts) => classArchive(archives, p).jvmOptions.some((o) => o.startsWith('-XX:SharedArchiveFile='))
    expect(mapped(parts)).toBe(true)
    expect(mapped({ ...parts, javaVersion: '21.0.1' })).toBe(false)
    expect(mapped({ ...parts, mainClass: 'org.apache.kafka.tools.GetOffsetShell' })).toBe(false)
    expect(mapped({ ...parts, jvm: ['-Xmx512m'] })).toBe(false)
    utimesSync(join(root, 'a.jar'), new Date(0), new Date(0))
    expect(mapped(parts)).toBe(false)
  })
})
