// A build step after tsc: the entry (main: help, version, failures), the commands that start and end without a
// cluster — list, show, sessions — and `status` become one CommonJS module each (dist/lib/cli/<command>.cjs)
// holding what they use, so that these need not resolve and read twenty-odd ES modules (~1 ms each) before
// printing. `status` holds the Kafka client too, bundled as scripts/kafka-client-bundling.mjs says (the one-line
// answer an on-call engineer waits for: at 10,000 partitions module loading was a third of its CPU). CommonJS, not
// ES modules: a cold `runbook list` on Node then never starts the ES module loader (its own modules, ~15–35 ms of
// CPU), and `require('node:fs')` does not build the full namespace an `import` of it does (whose lazy
// members, fs.promises and the file streams, load Node's whole stream stack). Only one command runs in a
// process, so nothing is loaded twice. The other commands that talk to a cluster stay ES modules as tsc wrote
// them, imported when run; so do the modules that locate files from their own place (team-loader, the Markdown
// runbook reader).

import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isKafkaPackageFile } from './kafka-client-bundling.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bundled = ['main', 'list', 'show', 'sessions', 'status']
// Loaded through V8's code cache (lib/cli/code-cache.ts): compiled there with no loader for import(), so built with
// each import() of a module outside the bundle (the sandbox) as a require() of it (an ES module: Node 20.19+ and
// Bun require one), and checked to hold none.
const codeCached = ['status']
// Imported from the bundles as they are (resolved from dist/lib/cli/): the Kafka client as its own CommonJS bundle
// (scripts/bundle-kafka-client.mjs; in this bundle, reached through a dynamic import, esbuild could not drop the
// package's unused modules: 2.5 times the size), the sandbox only when no cluster was named.
const separate = {
  'lib/engine/team-loader.ts': '../engine/team-loader.js',
  'lib/markdown/index.ts': '../markdown/index.js',
  'lib/kafka/platformatic/client.ts': '../kafka/platformatic/client.cjs',
  'lib/sandbox/index.ts': '../sandbox/index.js',
}

const bundle = (names, options = {}) =>
  build({
    ...options,
    absWorkingDir: root,
    entryPoints: names.map((name) => `lib/cli/${name}.ts`),
    outdir: 'dist/lib/cli',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
    // The sources locate files from import.meta.url: in a CommonJS bundle that is the bundle's own file, worked out
    // when first asked for (node:url is milliseconds of a cold start under Bun, and `--help` never asks).
    banner: { js: 'const __bundle = { get url() { return require("node:url").pathToFileURL(__filename).href } };' },
    // import.meta.dirname (a folder from its own place without node:url) is the bundle's folder, as CommonJS has it.
    define: { 'import.meta.url': '__bundle.url', 'import.meta.dirname': '__dirname' },
    plugins: [
      {
        name: 'separate-modules',
        setup(bundler) {
          bundler.onResolve({ filter: /\.ts$/ }, (args) => {
            const source = relative(root, resolve(args.resolveDir, args.path)).split(sep).join('/')
            return separate[source] ? { path: separate[source], external: true } : undefined
          })
          // The entry loads each command when it runs: as its own module (a bundle above, or as tsc wrote it).
          // A bundled command is required (an import() of it would start the ES module loader after all).
          bundler.onResolve({ filter: /^\.\/[a-z-]+\.ts$/ }, (args) => {
            if (args.kind !== 'dynamic-import' || !args.importer.endsWith(join('lib', 'cli', 'main.ts'))) return undefined
            const name = args.path.slice(2, -3)
            return bundled.includes(name) ? { path: name, namespace: 'bundled-command' } : { path: `./${name}.js`, external: true }
          })
          bundler.onLoad({ filter: /.*/, namespace: 'bundled-command' }, (args) =>
            codeCached.includes(args.path)
              ? {
                  contents: `module.exports = require('./code-cache.ts').requireWithCodeCache(require('node:path').join(__dirname, '${args.path}.cjs'))`,
                  loader: 'js',
                  resolveDir: join(root, 'lib', 'cli'),
                }
              : { contents: `module.exports = require('./${args.path}.cjs')`, loader: 'js' },
          )
          bundler.onResolve({ filter: /^\.\/[a-z-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }))
        },
      },
    ],
  })
const results = [await bundle(bundled.filter((name) => !codeCached.includes(name))), await bundle(codeCached, { supported: { 'dynamic-import': false } })]
const outputs = results.flatMap((result) =>
  Object.entries(result.metafile.outputs)
    .filter(([, o]) => o.entryPoint)
    .map(([file, o]) => ({ ...o, file })),
)
for (const { file, entryPoint } of outputs)
  if (codeCached.some((name) => entryPoint === `lib/cli/${name}.ts`) && /\bimport\(/.test(readFileSync(join(root, file), 'utf8')))
    throw new Error(`bundle-cli: ${file} holds an import(), which a script compiled with V8's code cache cannot run`)
if (outputs.length !== bundled.length) throw new Error(`bundle-cli: esbuild did not write the ${bundled.length} bundles`)
const withClient = outputs.filter((o) => Object.keys(o.inputs).some(isKafkaPackageFile)).map((o) => o.entryPoint)
if (withClient.length) throw new Error(`bundle-cli: the Kafka client is inside ${withClient.join(', ')} (it is required as its own bundle)`)
process.stdout.write(`bundled ${outputs.map((o) => `${o.entryPoint} (${Object.keys(o.inputs).length} modules)`).join(', ')}\n`)
