// The build's last step: dist/runbooks/catalog.json, the id, title and summary of every built-in runbook, so
// that `runbook list` (and the picker) can say what there is without importing a single runbook (each one
// loads its cells and planners: ~90 modules for the four). Every built-in runbook must load and pass the
// engine's checks, or the build fails.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))
const { buildCatalogRecords, builtInCatalogFile } = await import(new URL('lib/engine/catalog.js', `file://${dist}`).href)
const dir = join(dist, 'runbooks')
const records = await buildCatalogRecords(dir)
writeFileSync(join(dir, builtInCatalogFile), JSON.stringify(records, null, 2) + '\n')
process.stdout.write(`${builtInCatalogFile}: ${records.map((r) => r.id).join(', ')}\n`)
