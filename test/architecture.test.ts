// The layer table in layers.js is the architecture: every "never" it implies must fail lint, every declared
// arrow must pass, every folder must be in a layer, and ARCHITECTURE.md must name every layer. One fixture
// import per rule, linted as if it sat in the importing layer's folder.

import { readdirSync, readFileSync } from 'node:fs'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'
import { layers, outside, packages } from '../layers.js'
import { codeFolders, forbiddenFor, layerOf, readMethods, specifierFrom } from '../scripts/layer-rules.js'

type Layer = (typeof layers)[number]

const root = new URL('..', import.meta.url).pathname
let eslint: ESLint
beforeAll(() => {
  eslint = new ESLint({ cwd: root })
})

const isFile = (path: string) => /\.[mc]?[jt]s$/.test(path)
/** Where a fixture of `layer` pretends to live, and the folder its imports are relative to. */
const home = (layer: Layer) => {
  const path = layer.paths[0]!
  return isFile(path) ? { file: path, dir: path.slice(0, path.lastIndexOf('/')) } : { file: `${path}/architecture-fixture.ts`, dir: path }
}
/** An import specifier that lands in `target`, written from `dir`. */
const into = (dir: string, target: Layer) => {
  const path = target.paths[0]!
  return isFile(path) ? specifierFrom(dir, path) : `${specifierFrom(dir, path)}/some-module.ts`
}

/** Lints one file of numbered lines; returns, per line, the rules that fired. */
async function lintLines(file: string, lines: readonly string[]): Promise<Map<number, string[]>> {
  const [result] = await eslint.lintText(`${lines.join('\n')}\n`, { filePath: `${root}${file}` })
  const byLine = new Map<number, string[]>()
  for (const m of result!.messages) byLine.set(m.line, [...(byLine.get(m.line) ?? []), `${m.ruleId}: ${m.message}`])
  return byLine
}

describe('every file of lib/ and runbooks/ is in a layer', () => {
  it.each(codeFolders())('%s/', (folder) => {
    const files = readdirSync(`${root}${folder}`).filter((f) => isFile(f))
    for (const f of files) expect(layerOf(`${folder}/${f}`), `${folder}/${f} belongs to no layer in layers.js`).not.toBeNull()
  })

  it('ARCHITECTURE.md names every layer and its paths', () => {
    const text = readFileSync(`${root}ARCHITECTURE.md`, 'utf8')
    for (const layer of layers) {
      expect(text, layer.name).toContain(`**${layer.name}**`)
      for (const path of layer.paths) expect(text, path).toContain(`\`${path}\``)
    }
  })

  it('every declared arrow names a layer', () => {
    const names = new Set(layers.map((l) => l.name))
    for (const layer of layers) for (const name of layer.may) expect(names, `${layer.name} may import ${name}`).toContain(name)
  })
})

describe.each(layers.map((layer) => [layer.name, layer] as const))('layer %s', (_name, layer) => {
  const { file, dir } = home(layer)

  it('lint rejects a static and a dynamic import of every layer it never imports', async () => {
    const targets = forbiddenFor(layer)
    const lines = targets.flatMap((t) => [`import '${into(dir, t)}'`, `export const load${t.name.replace(/-/g, '_')} = () => import('${into(dir, t)}')`])
    const fired = await lintLines(file, lines)
    targets.forEach((t, i) => {
      expect(fired.get(2 * i + 1) ?? [], `static import of ${t.name}`).toContainEqual(expect.stringContaining(`${layer.name} never imports ${t.name}`))
      expect(fired.get(2 * i + 2) ?? [], `dynamic import of ${t.name}`).toContainEqual(expect.stringContaining(`${layer.name} never imports ${t.name}`))
    })
  })

  it('lint accepts an import of every layer it may use', async () => {
    const lines = layer.may.map(
      (name) =>
        `import '${into(
          dir,
          layers.find((l) => l.name === name)!,
        )}'`,
    )
    const fired = await lintLines(file, lines)
    expect([...fired.values()].flat().filter((m) => m.includes('never imports'))).toEqual([])
  })

  it('lint rejects the packages it may not import and the folders outside the layers', async () => {
    const banned = packages.filter((p) => !p.only.some((o) => file === o || file.startsWith(`${o}/`) || dir === o || dir.startsWith(`${o}/`)))
    const lines = [...banned.map((p) => `import '${p.name}'`), ...outside.map((o) => `import '${specifierFrom(dir, o)}/x.ts'`)]
    const fired = await lintLines(file, lines)
    lines.forEach((line, i) => expect(fired.get(i + 1) ?? [], line).toContainEqual(expect.stringContaining('no-restricted-imports')))
  })

  // Only the rules a layer has get a test: a layer that is not pure has nothing to reject here.
  if (layer.pure)
    it('lint rejects node built-ins: the layer is pure', async () => {
      const fired = await lintLines(file, [`import { readFileSync } from 'node:fs'`, `export const read = readFileSync`])
      expect(fired.get(1) ?? []).toContainEqual(expect.stringContaining('is pure'))
    })

  if (layer.readsThrough !== undefined)
    it('lint rejects reading the cluster through KafkaOps directly', async () => {
      const lines = readMethods.map((m) => `export const read_${m} = (ctx: { kafka: Record<string, () => unknown> }) => ctx.kafka.${m}()`)
      const fired = await lintLines(file, lines)
      readMethods.forEach((m, i) => expect(fired.get(i + 1) ?? [], m).toContainEqual(expect.stringContaining(`through ${layer.readsThrough}`)))
    })
})

describe('packages enter only where declared', () => {
  it.each(packages.filter((p) => p.only.length > 0).map((p) => [p.name, p] as const))('%s is accepted where it is declared', async (_name, pkg) => {
    const where = pkg.only[0]!
    const file = isFile(where) ? where : `${where}/architecture-fixture.ts`
    const fired = await lintLines(file, [`import '${pkg.name}'`])
    expect(fired.get(1) ?? []).toEqual([])
  })
})
