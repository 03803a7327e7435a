// How a unit test undoes a session on the fake: an operator on a laptop, approvals by --yes unless the test says
// otherwise, the undo's own session beside the one undone. A test names only what its case is about.

import { join } from 'node:path'
import type { AnyRunbook } from '../../lib/engine/runbook.ts'
import type { UndoOptions } from '../../lib/engine/undo.ts'

type Given = Pick<UndoOptions, 'io' | 'kafka' | 'sessionDir'> & Partial<UndoOptions> & { readonly runbook: AnyRunbook }

export function undoOptions({ runbook, ...given }: Given): UndoOptions {
  return {
    sessionsDir: join(given.sessionDir, '..'),
    findRunbook: (id) => (id === runbook.id ? runbook : undefined),
    approvals: { yes: true, hashes: [] },
    dryRun: false,
    operator: 'bob',
    host: 'laptop',
    cluster: { origin: 'test' },
    args: [],
    secrets: [],
    signal: new AbortController().signal,
    toolVersion: 'test',
    ...given,
  }
}
