// The build's second step, after tsc: dist/lib/kafka/platformatic/client.js becomes a bundle of only the
// @platformatic/kafka exports that lib/kafka/platformatic/client.ts lists, and what they use.
//
// Why: the package's entry loads every part of it — its producer, consumer and admin clients compile ~40
// ajv option validators at import, and the package is ~200 files to resolve and read — ~0.35 s before
// `runbook status` sends its first request, for code the access layer never calls. Its modules have no
// import-time effects that the listed exports rely on, so the bundler may drop what nothing uses.
// Sources, tests and Bun runs of the sources import the package as it is; only the built CLI uses this.

import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const packageFiles = /[\\/]node_modules[\\/]@platformatic[\\/]kafka[\\/]/

// The package's utils module creates an ajv instance at import and adds its keywords to it, for the option
// validators of its producer, consumer and admin clients; nothing the access layer uses validates anything. ajv
// was more than half of the bundle (275 of 505 KiB, all parsed and compiled by every command that connects).
// The bundle gets a stand-in that accepts the keywords and refuses to compile: a validator that slipped into the
// bundle fails loudly at import instead of validating nothing (checked below, and by the CLI tests).
const ajvStandIn = `export class Ajv2020 {
  addKeyword() { return this }
  compile() { throw new Error('@platformatic/kafka option validation is not part of the runbook bundle (scripts/bundle-kafka-client.mjs)') }
}`

const result = await build({
  absWorkingDir: root,
  entryPoints: ['lib/kafka/platformatic/client.ts'],
  outfile: 'dist/lib/kafka/platformatic/client.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // wasm-utils reads its .wasm file from beside its own module: it stays a package of its own.
  external: ['@platformatic/wasm-utils'],
  // The CommonJS dependencies (debug, ajv) call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      name: 'platformatic-kafka-without-side-effects',
      setup(bundler) {
        bundler.onResolve({ filter: /^ajv([\\/]|$)/ }, (args) =>
          packageFiles.test(args.importer) ? { path: 'ajv-stand-in', namespace: 'runbook-ajv-stand-in' } : undefined,
        )
        bundler.onLoad({ filter: /.*/, namespace: 'runbook-ajv-stand-in' }, () => ({ contents: ajvStandIn, loader: 'js' }))
        bundler.onResolve({ filter: /.*/ }, async (args) => {
          if (args.pluginData === 'resolved') return undefined
          const resolved = await bundler.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolved' })
          if (resolved.errors.length || !packageFiles.test(resolved.path)) return resolved.errors.length ? undefined : resolved
          return { ...resolved, sideEffects: false }
        })
      },
    },
  ],
})

const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)
if (!output) throw new Error('bundle-kafka-client: esbuild wrote no bundle')
if (Object.keys(output.inputs).some((input) => /[\\/]ajv[\\/]/.test(input)))
  throw new Error('bundle-kafka-client: ajv is still in the bundle (imported from somewhere else than the package utils)')
process.stdout.write(`bundled the Kafka client: ${Object.keys(output.inputs).length} modules, ${(output.bytes / 1024).toFixed(0)} KiB\n`)
