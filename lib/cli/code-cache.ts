// V8's code cache for the `status` bundle and the Kafka client bundle it loads (~530 KB of JavaScript that Node
// otherwise compiles again on every run, before the first request and while decoding the answers). The data is
// V8's own (vm.Script cachedData), written when a run ends (so it holds what that run compiled), in the tool's cache
// folder ($XDG_CACHE_HOME/kafka-runbooks/code-cache, else ~/.cache/...): one file per bundle, named by a hash of
// its text and the runtime; V8 also checks its own version and flags and ignores data made under others. Anything
// that goes wrong — no cache yet, a home that cannot be written, a damaged file — leaves the bundle compiled as
// require compiles it: never a failed run. Node only: Bun keeps a cache of its own. Node 22's
// module.enableCompileCache would do the same, but Node 20 lacks it. The bundles hold no import() (a script
// compiled here has no loader for it; scripts/bundle-cli.mjs checks).

import type { Script } from 'node:vm'

type Require = ((id: string) => unknown) & { resolve: (id: string) => string }

const loaded = new Map<string, unknown>()
/** Scripts compiled without usable data, and where their data goes once the command has run. */
const toWrite: { script: Script; file: string }[] = []

/** The folder the cache lives in, or null where there is no home to put it in. */
function cacheFolder(env: NodeJS.ProcessEnv): string | null {
  const { join } = process.getBuiltinModule('node:path')
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : null)
  return base ? join(base, 'kafka-runbooks', 'code-cache') : null
}

/** Loads a CommonJS bundle (an absolute path) as require would, compiled from V8's code cache where there is one. */
export function requireWithCodeCache(filename: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const { createRequire } = process.getBuiltinModule('node:module')
  const plain = createRequire(filename) as Require
  const folder = cacheFolder(env)
  if ((process.versions as Record<string, string | undefined>).bun || !folder) return plain(filename)
  if (loaded.has(filename)) return loaded.get(filename)
  const { readFileSync } = process.getBuiltinModule('node:fs')
  let source: string
  try {
    source = readFileSync(filename, 'utf8')
  } catch {
    return plain(filename)
  }
  const { createHash } = process.getBuiltinModule('node:crypto')
  const key = createHash('sha1').update(`${process.version} ${process.arch}\n`).update(source).digest('hex')
  const { basename, dirname, join } = process.getBuiltinModule('node:path')
  // Named by the bundle's place too: two installs of the tool (a global one, a project's) keep a file each.
  const place = createHash('sha1').update(filename).digest('hex')
  const file = join(folder, `${basename(filename)}-${place.slice(0, 12)}-${key.slice(0, 24)}.bin`)
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(file)
  } catch {
    cachedData = undefined
  }
  // The wrapper Node's CommonJS loader puts around a module, on the source's first line: line numbers stay as they are.
  const script = new (process.getBuiltinModule('node:vm').Script)(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename,
    cachedData,
  })
  if (cachedData === undefined || script.cachedDataRejected) {
    if (toWrite.length === 0) process.once('exit', writeCodeCache)
    toWrite.push({ script, file })
  }
  // The bundles' own bundles (the Kafka client) are loaded the same way; everything else as require loads it.
  const require = Object.assign((id: string) => (id.endsWith('.cjs') && id.startsWith('.') ? requireWithCodeCache(plain.resolve(id), env) : plain(id)), plain)
  const module = { exports: {} as unknown, filename, id: filename, loaded: false }
  loaded.set(filename, module.exports)
  ;(script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, filename, dirname(filename))
  module.loaded = true
  loaded.set(filename, module.exports)
  return module.exports
}

/**
 * Written as the process ends, so that it holds the functions the run compiled too; whole, then renamed into place.
 * Only after a run that did its work (exit 0): data from a run that stopped early would hold little, and be kept.
 */
function writeCodeCache(code: number): void {
  if (code !== 0) return
  try {
    const { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } = process.getBuiltinModule('node:fs')
    const { basename, dirname, join } = process.getBuiltinModule('node:path')
    for (const { script, file } of toWrite) {
      const folder = dirname(file)
      mkdirSync(folder, { recursive: true })
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, script.createCachedData())
      renameSync(temporary, file)
      // The data for earlier builds of the bundle in this place (or for another runtime) goes: one file per bundle stays.
      const bundle = basename(file).replace(/-[0-9a-f]{24}\.bin$/, '-')
      for (const name of readdirSync(folder))
        if (name.startsWith(bundle) && name.endsWith('.bin') && name !== basename(file)) rmSync(join(folder, name), { force: true })
    }
  } catch {
    // A cache that cannot be written is only a slower next start.
  }
}
