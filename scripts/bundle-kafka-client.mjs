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
import { checkKafkaClientBundle, kafkaClientPlugin } from './kafka-client-bundling.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
// Twice: an ES module for the commands tsc wrote, and CommonJS for the commands bundled as CommonJS
// (scripts/bundle-cli.mjs), which require it from beside the ES module.
const outputs = { esm: 'dist/lib/kafka/platformatic/client.js', cjs: 'dist/lib/kafka/platformatic/client.cjs' }
for (const [format, outfile] of Object.entries(outputs)) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['lib/kafka/platformatic/client.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    sourcemap: true,
    // The CommonJS dependencies (debug) and the lazy wasm-utils stand-in call require(); an ES module has none of its own.
    ...(format === 'esm'
      ? { banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" } }
      : { define: { 'import.meta.url': '__bundleUrl' }, banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' } }),
    logLevel: 'warning',
    metafile: true,
    plugins: [kafkaClientPlugin],
  })
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)
  if (!output) throw new Error(`bundle-kafka-client: esbuild wrote no ${format} bundle`)
  checkKafkaClientBundle('bundle-kafka-client', Object.keys(output.inputs))
  process.stdout.write(`bundled the Kafka client (${format}): ${Object.keys(output.inputs).length} modules, ${(output.bytes / 1024).toFixed(0)} KiB\n`)
}
