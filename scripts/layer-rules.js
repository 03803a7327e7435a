// Turns the layer table (layers.js) into ESLint rules: per folder of lib/ and runbooks/, the imports that reach a
// layer it may not use (by path, relative to that folder, static and dynamic), the packages it may not import,
// node built-ins where the layer is pure, and — for layers that read through lib/reads — KafkaOps reads.
// eslint.config.js uses the rules; test/architecture.test.ts checks that each one rejects what it should.

import { existsSync, readdirSync, statSync } from 'node:fs'
import { posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { layers, outside, packages } from '../layers.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const scanned = ['lib', 'runbooks']
const codeFile = /\.(ts|mts|js|mjs)$/

/** KafkaOps methods that read the cluster (a layer with `readsThrough` leaves them to its readers). */
export const readMethods = [
  'cluster',
  'capabilities',
  'partitionStates',
  'describeConfigs',
  'describeGroups',
  'describeLogDirs',
  'listGroups',
  'listOffsets',
  'listPartitionReassignments',
  'listTopics',
  'committedOffsets',
  'groupsCommittedOffsets',
  'replicaOffsets',
  'recordTimestamps',
  'fetchRecords',
]

const byName = new Map(layers.map((l) => [l.name, l]))
const isFilePath = (path) => codeFile.test(path)

/** The layer a repo-relative path (file or folder) belongs to: the one with the longest matching path. */
export function layerOf(path) {
  let best = null
  for (const layer of layers)
    for (const p of layer.paths) if ((path === p || path.startsWith(`${p}/`)) && (!best || p.length > best.path.length)) best = { layer, path: p }
  return best?.layer ?? null
}

/** Every folder under lib/ and runbooks/, repo-relative (a folder without code yet still gets its layer's rules). */
export function codeFolders() {
  const found = []
  const walk = (dir) => {
    found.push(dir)
    for (const e of readdirSync(posix.join(root, dir))) if (statSync(posix.join(root, dir, e)).isDirectory()) walk(posix.join(dir, e))
  }
  for (const dir of scanned) if (existsSync(posix.join(root, dir))) walk(dir)
  return found
}

/** The layers `layer` must never import. */
export function forbiddenFor(layer) {
  return layers.filter((other) => other !== layer && !layer.may.includes(other.name))
}

/** How a file in `dir` names `target` (a folder or file path): relative, as our imports are written. */
export function specifierFrom(dir, target) {
  const rel = posix.relative(dir, target)
  return rel.startsWith('.') ? rel : `./${rel}`
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** Patterns (gitignore style, as no-restricted-imports reads them) and a regex that reach `layer` from `dir`. */
function reach(dir, layer, allowed) {
  const patterns = []
  const regexes = []
  for (const path of layer.paths) {
    const spec = specifierFrom(dir, path)
    if (isFilePath(path)) {
      const bare = spec.replace(codeFile, '')
      patterns.push(spec, `${bare}.js`, bare)
      regexes.push(`^${escape(bare)}(\\.[mc]?[jt]s)?$`)
    } else {
      // Layers nested in this one (the Kafka door inside the port's folder) stay reachable when allowed.
      const nested = allowed.flatMap((a) => a.paths.filter((p) => p.startsWith(`${path}/`)).map((p) => specifierFrom(dir, p)))
      patterns.push(spec, `${spec}/**`, ...nested.flatMap((n) => [`!${n}`, `!${n}/**`]))
      const keep = nested.map((n) => `(?!${escape(n)}(\\/|$))`).join('')
      regexes.push(`^${keep}${escape(spec)}(\\/|$)`)
    }
  }
  return { patterns, regexes }
}

/** Does `path` (a folder, or a file in it) fall under `only` (folders or files)? */
const covered = (path, only) => only.some((p) => path === p || path.startsWith(`${p}/`))

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'url', 'util', 'net', 'stream', 'stream/*', 'module', 'tls']

/** The rules for files in `dir` that belong to `layer` (`file`: one file with its own exceptions). */
function rulesFor(dir, layer, file) {
  const allowed = layer.may.map((name) => byName.get(name))
  const where = file ?? dir
  const restricted = []
  const dynamic = []
  for (const target of forbiddenFor(layer)) {
    const { patterns, regexes } = reach(dir, target, allowed)
    const message = `${layer.name} never imports ${target.name} (layers.js; ARCHITECTURE.md).`
    restricted.push({ group: patterns, message })
    for (const regex of regexes) dynamic.push({ selector: `ImportExpression[source.value=/${regex}/]`, message })
  }
  for (const folder of outside) {
    const spec = specifierFrom(dir, folder)
    restricted.push({ group: [`${spec}/**`], message: `lib/ and runbooks/ never import ${folder}/.` })
  }
  for (const pkg of packages) {
    if (covered(where, pkg.only)) continue
    const message = `Only ${pkg.only.join(', ') || 'tests'} import${pkg.only.length === 1 ? 's' : ''} ${pkg.name}: ${pkg.why}.`
    restricted.push({ group: [pkg.name, `${pkg.name}/*`], message })
    dynamic.push({ selector: `ImportExpression[source.value=/^${escape(pkg.name)}(\\/|$)/]`, message })
  }
  if (layer.pure) {
    const message = `${layer.name} is pure: no node built-ins, no I/O (layers.js).`
    restricted.push({ group: nodeBuiltins, message })
    dynamic.push({ selector: 'ImportExpression[source.value=/^node:/]', message })
  }
  if (layer.readsThrough) {
    const methods = readMethods.join('|')
    const message = `${layer.name} read the cluster through ${layer.readsThrough}: call a reader there, not KafkaOps.`
    dynamic.push({ selector: `CallExpression > MemberExpression[object.name='kafka'][property.name=/^(${methods})$/]`, message })
    dynamic.push({ selector: `CallExpression > MemberExpression[object.property.name='kafka'][property.name=/^(${methods})$/]`, message })
  }
  return {
    'no-restricted-imports': ['error', { patterns: restricted }],
    'no-restricted-syntax': ['error', ...dynamic],
  }
}

/** ESLint flat-config blocks: one per code folder (and one per file with exceptions of its own). */
export function layerRules() {
  const blocks = []
  for (const dir of codeFolders()) {
    const files = readdirSync(posix.join(root, dir)).filter((f) => codeFile.test(f) && !f.endsWith('.d.ts'))
    const special = files.map((f) => posix.join(dir, f)).filter((f) => layerOf(f) !== layerOf(dir) || packages.some((p) => p.only.includes(f)))
    const rest = files.map((f) => posix.join(dir, f)).filter((f) => !special.includes(f))
    const layer = layerOf(dir)
    if (rest.length > 0 && !layer) throw new Error(`${dir}/ is in no layer: declare it in layers.js (and ARCHITECTURE.md)`)
    if (layer) blocks.push({ files: [`${dir}/*.{ts,mts,js,mjs}`], ignores: special, rules: rulesFor(dir, layer) })
    for (const file of special) {
      const own = layerOf(file)
      if (!own) throw new Error(`${file} is in no layer: declare it in layers.js (and ARCHITECTURE.md)`)
      blocks.push({ files: [file], rules: rulesFor(dir, own, file) })
    }
  }
  return blocks
}
