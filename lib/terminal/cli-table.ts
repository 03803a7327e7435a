// cli-table3, as the terminal renders tables with it. `npm run build` turns this module's compiled form into one
// bundle of cli-table3 and its dependencies (scripts/bundle-cli-table.mjs): required as a package they are
// eight CommonJS modules to resolve, stat and read, ~15 ms of a `runbook list` that otherwise starts in ~50.

import Table from 'cli-table3'

export default Table
