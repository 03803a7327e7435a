import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { metadataVersionName, releaseLine } from '../../lib/kafka/metadata-version.ts'

describe('lib/kafka', () => {
  it('its door is small', async () => {
    expect(Object.keys(await import('../../lib/kafka/index.ts')).sort()).toEqual(['connect'])
  })

  it('loads the Kafka client only inside connect: no static import of the adapter', () => {
    const source = readFileSync(new URL('../../lib/kafka/index.ts', import.meta.url), 'utf8')
    expect(source).not.toMatch(/^import\s(?!type\b).*platformatic/m)
    expect(source).toMatch(/await import\('\.\/platformatic\/index\.ts'\)/)
  })
})

describe('metadata.version names', () => {
  it.each([
    [7, '3.3-IV3'],
    [21, '3.9-IV0'],
    [22, '4.0-IV0'],
    [27, '4.1-IV1'],
    [29, '4.2-IV1'],
    [30, '4.3-IV0'],
    [0, null],
    [99, null],
  ])('level %i → %s', (level, name) => {
    expect(metadataVersionName(level)).toBe(name)
  })

  it('release line of a name', () => expect(releaseLine('4.3-IV0')).toBe('4.3'))
})

describe('lib/kafka/log-dir', () => {
  it('its door is small, and loads the Kafka client only when a folder is opened', async () => {
    expect(Object.keys(await import('../../lib/kafka/log-dir/index.ts')).sort()).toEqual(['describeLogDirFault', 'openLogDir'])
    const source = readFileSync(new URL('../../lib/kafka/log-dir/index.ts', import.meta.url), 'utf8')
    expect(source).not.toMatch(/^import\s(?!type\b).*platformatic/m)
  })
})
