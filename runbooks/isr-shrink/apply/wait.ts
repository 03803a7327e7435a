// Waiting, with the operator's own command that brings the down or hung broker back (confirmed, never in a
// dry run); the watch afterwards (after.ts) follows the ISR until writes are accepted again.

import { decideCell } from '../decide.ts'
import { nb, type Context } from '../notebook.ts'

const down = (ctx: Context) => [...(ctx.state.facts?.downBrokers ?? []), ...(ctx.state.facts?.hungBrokers ?? [])]
export const restartCell = nb.shell({
  id: 'restart-command',
  title: 'Bring the broker back',
  doc: 'Runs your own command that restarts (or resumes) the down or hung broker — only after you confirm it, never in --dry-run; approved by hash in headless runs.',
  when: (ctx) => (ctx.decision(decideCell) !== 'wait' ? 'another action was chosen' : down(ctx).length === 0 ? 'no out-of-sync broker is down or hung' : true),
  whenDoc: 'action=wait and a broker is down or hung',
  command: async (ctx) => (await ctx.param('restart-command')) ?? null,
  skipReason: 'no restart command given: bring the broker back yourself; the next step watches the ISR',
  timeoutMs: 300_000,
})
