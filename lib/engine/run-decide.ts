// A decision: every option with what it costs and what it risks, the recommendation and why, then the answer —
// given up front (--set <cell>=<option>), asked on a terminal, or refused in a headless run that lacks it.

import { notice, table } from './blocks.ts'
import type { ParamSpecs } from './params.ts'
import { emit, StopRun, type CellReport, type RunState } from './run-state.ts'
import type { DecideCell, DecisionOption } from './runbook.ts'

export async function runDecide(
  state: RunState,
  cell: DecideCell<unknown, ParamSpecs>,
  report: CellReport,
  given: { text: string; source: string } | undefined,
): Promise<void> {
  const options = await cell.options(state.ctx)
  const declared = cell.choices.map((c) => c.value).join(', ')
  if (options.map((o) => o.value).join(', ') !== declared)
    throw new Error(`decide cell "${cell.id}" offered ${options.map((o) => o.value).join(', ')}, not its declared options ${declared}`)
  const recommended = options.find((o) => o.recommended && !o.unavailable)
  const because = cell.because?.(state.ctx, options)
  emit(
    state,
    [
      table(
        ['Option', 'What it costs', 'What it risks'],
        options.map((o) => [
          `${o.label}${o.recommended ? ' (recommended)' : ''}${o.unavailable ? ` — unavailable: ${o.unavailable}` : ''}\n[${o.value}]`,
          o.cost,
          o.risk,
        ]),
        { title: cell.question },
      ),
      ...(recommended && because ? [notice('info', `Recommended: ${recommended.label} — ${because}`)] : []),
    ],
    cell.id,
  )

  const available = options.filter((o) => !o.unavailable)
  if (available.length === 0) throw new StopRun('refused', `no option is available for "${cell.question}" — see the reasons above; nothing changed`)

  let chosen: string
  let source: string
  if (given) {
    chosen = checkChoice(cell, options, given.text.trim())
    source = given.source
  } else if (state.io.interactive) {
    chosen = await state.io.select({
      message: cell.question,
      choices: options.map((o) => ({
        value: o.value,
        name: `${o.label}${o.recommended ? ' (recommended)' : ''}`,
        description: `${o.cost} · risk: ${o.risk}`,
        ...(o.unavailable ? { disabled: o.unavailable } : {}),
      })),
      ...(recommended ? { default: recommended.value } : {}),
    })
    source = 'prompt'
  } else if (headlessDefault(cell, state) !== undefined) {
    chosen = checkChoice(cell, options, headlessDefault(cell, state)!)
    source = 'headless default'
  } else {
    throw new StopRun(
      'refused',
      `a headless run needs an answer to "${cell.question}" — add --set ${cell.id}=<${available.map((o) => o.value).join('|')}>${recommended ? ` (recommended: ${recommended.value})` : ''}; nothing changed`,
    )
  }
  state.decisions.set(cell.id, chosen)
  state.session.append({ type: 'decision', cell: cell.id, options, recommended: recommended?.value ?? null, chosen, source })
  report.decision = chosen
  const option = options.find((o) => o.value === chosen)!
  emit(state, [notice('ok', `Decision: ${option.label}`)], cell.id)
}

function headlessDefault(cell: DecideCell<unknown, ParamSpecs>, state: RunState): string | undefined {
  return typeof cell.headlessDefault === 'function' ? cell.headlessDefault(state.ctx) : cell.headlessDefault
}

function checkChoice(cell: DecideCell<unknown, ParamSpecs>, options: readonly DecisionOption[], value: string): string {
  const option = options.find((o) => o.value === value)
  if (!option)
    throw new StopRun('refused', `"${value}" is not an option for ${cell.id} — use one of ${options.map((o) => o.value).join(', ')}; nothing changed`)
  if (option.unavailable) throw new StopRun('refused', `option "${value}" is not available now: ${option.unavailable}; nothing changed`)
  return value
}
