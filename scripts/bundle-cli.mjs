// A build step after tsc: the entry (main: help, version, failures) and the commands that start and end without a
// cluster — list, show, sessions — become one module each (dist/lib/cli/<command>.js) holding what they use, so that these need not resolve and read twenty-odd
// ES modules (~1 ms each) before printing. Only one command runs in a process, so nothing is loaded twice. The
// modules that locate files from their own place (team-loader, the Markdown runbook reader) stay separate, as tsc
// wrote them.

import { build } from 'esbuild'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// Imported from the bundles as they are (resolved from dist/lib/cli/).
const separate = {
  './team-loader.ts': '../engine/team-loader.js',
  '../markdown/index.ts': '../markdown/index.js',
}

const result = await build({
  absWorkingDir: root,
  entryPoints: ['lib/cli/main.ts', 'lib/cli/list.ts', 'lib/cli/show.ts', 'lib/cli/sessions.ts'],
  outdir: 'dist/lib/cli',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      name: 'separate-modules',
      setup(bundler) {
        bundler.onResolve({ filter: /\.ts$/ }, (args) => (separate[args.path] ? { path: separate[args.path], external: true } : undefined))
        // The entry loads each command when it runs: as its own module (a bundle above, or as tsc wrote it).
        bundler.onResolve({ filter: /^\.\/[a-z-]+\.ts$/ }, (args) =>
          args.kind === 'dynamic-import' && args.importer.endsWith(join('lib', 'cli', 'main.ts'))
            ? { path: args.path.replace(/\.ts$/, '.js'), external: true }
            : undefined,
        )
      },
    },
  ],
})
const outputs = Object.values(result.metafile.outputs).filter((o) => o.entryPoint)
if (outputs.length !== 4) throw new Error('bundle-cli: esbuild did not write the four bundles')
process.stdout.write(`bundled ${outputs.map((o) => `${o.entryPoint} (${Object.keys(o.inputs).length} modules)`).join(', ')}\n`)
