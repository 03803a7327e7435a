// How the build bundles @platformatic/kafka, shared by the two bundles that hold it: the access layer's client
// module (scripts/bundle-kafka-client.mjs, ES module) and the commands bundled with the Kafka client inside them
// (scripts/bundle-cli.mjs, CommonJS). Only the exports lib/kafka/platformatic/client.ts lists, and what they use.

const packageFiles = /(^|[\\/])node_modules[\\/]@platformatic[\\/]kafka[\\/]/
export const isKafkaPackageFile = (path) => packageFiles.test(path)

// The package's utils module creates an ajv instance at import and adds its keywords to it, for the option
// validators of its producer, consumer and admin clients; nothing the access layer uses validates anything. ajv
// was more than half of the bundle (275 of 505 KiB, all parsed and compiled by every command that connects).
// The bundle gets a stand-in that accepts the keywords and refuses to compile: a validator that slipped into the
// bundle fails loudly at import instead of validating nothing (checked below, and by the CLI tests).
const ajvStandIn = `export class Ajv2020 {
  addKeyword() { return this }
  compile() { throw new Error('@platformatic/kafka option validation is not part of the runbook bundle (scripts/kafka-client-bundling.mjs)') }
}`

// @platformatic/wasm-utils compiles its WebAssembly (CRC-32C, LZ4, Snappy) when it is imported, and the package's
// crc32c module loads the native @node-rs/crc32 addon at import too: 40–300 ms (measured idle and at load 16)
// before the first request, for a command like `runbook status` that neither checks nor compresses a record batch.
// The bundle loads each on the first call instead. The stand-in requires the real package then (an ES module
// without top-level await: require() loads it on Node 20.19+ and Bun); it stays a package of its own because it
// reads its .wasm file from beside its own module.
const wasmUtilsNames = ['crc32c', 'lz4Compress', 'lz4Decompress', 'snappyCompress', 'snappyDecompress']
const wasmUtilsStandIn = `let loaded
const real = () => (loaded ??= require('@platformatic/wasm-utils'))
${wasmUtilsNames.map((name) => `export function ${name}(...args) { return real().${name}(...args) }`).join('\n')}
`
const eagerCrc32cChoice = 'export const crc32c = loadNativeCRC32C() ?? wasmCRC32C;'
const lazyCrc32cChoice = `let chosenCRC32C;
export function crc32c(data) { return (chosenCRC32C ??= loadNativeCRC32C() ?? wasmCRC32C)(data); }`

/** The esbuild plugin: the package without its import-time work, each module free of side effects for tree shaking. */
export const kafkaClientPlugin = {
  name: 'platformatic-kafka-light',
  setup(bundler) {
    bundler.onResolve({ filter: /^ajv([\\/]|$)/ }, (args) =>
      isKafkaPackageFile(args.importer) ? { path: 'ajv-stand-in', namespace: 'runbook-ajv-stand-in' } : undefined,
    )
    bundler.onLoad({ filter: /.*/, namespace: 'runbook-ajv-stand-in' }, () => ({ contents: ajvStandIn, loader: 'js' }))
    bundler.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, (args) => {
      if (args.namespace === 'runbook-wasm-utils-stand-in') return { path: args.path, external: true }
      return isKafkaPackageFile(args.importer) ? { path: 'wasm-utils-stand-in', namespace: 'runbook-wasm-utils-stand-in' } : undefined
    })
    bundler.onLoad({ filter: /.*/, namespace: 'runbook-wasm-utils-stand-in' }, () => ({ contents: wasmUtilsStandIn, loader: 'js' }))
    bundler.onLoad({ filter: /[\\/]@platformatic[\\/]kafka[\\/]dist[\\/]protocol[\\/]crc32c\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises')
      const source = await readFile(args.path, 'utf8')
      if (!source.includes(eagerCrc32cChoice))
        throw new Error(`kafka-client-bundling: ${args.path} no longer chooses its CRC-32C as expected; look at it again`)
      return { contents: source.replace(eagerCrc32cChoice, lazyCrc32cChoice), loader: 'js' }
    })
    bundler.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolved' || args.namespace !== 'file') return undefined
      const fromPackage = args.path === '@platformatic/kafka' || isKafkaPackageFile(args.importer)
      if (!fromPackage) return undefined
      const resolved = await bundler.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'resolved' })
      if (resolved.errors.length || !isKafkaPackageFile(resolved.path)) return resolved.errors.length ? undefined : resolved
      return { ...resolved, sideEffects: false }
    })
  },
}

/** Fails the build if a bundle holding the client carries what the plugin keeps out. */
export function checkKafkaClientBundle(label, inputs) {
  if (inputs.some((input) => /[\\/]ajv[\\/]/.test(input)))
    throw new Error(`${label}: ajv is in the bundle (imported from somewhere else than the package utils)`)
  if (inputs.some((input) => /[\\/]wasm-utils[\\/]/.test(input)))
    throw new Error(`${label}: @platformatic/wasm-utils is in the bundle (it must load on first use)`)
}
