// A build step after tsc: dist/lib/terminal/cli-table.js becomes one ES module holding cli-table3 and its
// dependencies (string-width, strip-ansi, @colors/colors…), so that a command printing a table does not walk
// node_modules for eight CommonJS packages at start, and whose cell widths skip string-width's emoji pattern
// where no emoji can be (lib/terminal/text-width.ts). Sources, tests and Bun runs of the sources import the
// package as it is; only the built CLI uses this.

import { build } from 'esbuild'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const result = await build({
  absWorkingDir: root,
  entryPoints: ['lib/terminal/cli-table.ts'],
  outfile: 'dist/lib/terminal/cli-table.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // The CommonJS modules call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      // cli-table3 measures every cell with string-width, whose emoji pattern costs more to compile than the
      // rest of a `runbook list`: cells in the range lib/terminal/text-width.ts covers are counted there.
      name: 'string-width-fast-path',
      setup(bundler) {
        bundler.onResolve({ filter: /^string-width$/ }, (args) =>
          args.namespace === 'file' && /[\\/]cli-table3[\\/]/.test(args.importer) ? { path: 'string-width', namespace: 'text-width' } : undefined,
        )
        bundler.onLoad({ filter: /.*/, namespace: 'text-width' }, () => ({
          contents: `const stringWidth = require('string-width'); const { fastTextWidth } = require(${JSON.stringify(join(root, 'lib/terminal/text-width.ts'))}); module.exports = (text) => fastTextWidth(text) ?? stringWidth(text)`,
          resolveDir: root,
          loader: 'js',
        }))
      },
    },
  ],
})
const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)
if (!output) throw new Error('bundle-cli-table: esbuild wrote no bundle')
process.stdout.write(`bundled cli-table3: ${Object.keys(output.inputs).length} modules, ${(output.bytes / 1024).toFixed(0)} KiB\n`)
