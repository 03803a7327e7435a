// Rebuilds the Markdown notebook of a run from its event log: what the operator saw, what they chose,
// what was planned, approved, applied and verified, in order — ready for the incident channel.

import type { Block } from './blocks.ts'
import { clusterLine } from './cluster-identity.ts'
import { blocksToMarkdown } from './markdown.ts'
import type { WrittenEvent } from './events.ts'

const statusWords: Record<string, string> = {
  done: 'Done',
  'dry-run': 'Dry run: planned, nothing changed',
  refused: 'Refused: nothing changed',
  drifted: 'Stopped: the cluster changed after the plan; nothing changed',
  declined: 'Stopped: the operator did not confirm; nothing changed',
  failed: 'Failed',
  interrupted: 'Interrupted by the operator',
}

/** The notebook of a run; `sessionId` names the session in its header (the folder `runbook undo` takes). */
export function renderNotebook(events: readonly WrittenEvent[], sessionId?: string): string {
  const parts: string[] = []
  let cellNumber = 0
  let title: string | null = null
  for (const event of events) {
    switch (event.type) {
      case 'session-start': {
        title = event.title
        parts.push(`# ${event.title}`)
        const rows: [string, string][] = [
          ['Runbook', `\`${event.runbook}\``],
          ['Started', event.at],
          ['Operator', `${event.operator}@${event.host}`],
          ['Mode', `${event.mode}${event.dryRun ? ', dry run' : ''}`],
        ]
        if (event.cluster) {
          const { name, origin } = event.cluster
          rows.push(['Cluster', clusterLine({ ...event.cluster, name: name ?? origin }).replace(/^cluster /, '') + (name && origin ? ` (${origin})` : '')])
        }
        if (event.undoOf) rows.push(['Undoes session', `\`${event.undoOf}\``])
        rows.push(['Session', `${sessionId ? `\`${sessionId}\`` : event.at} · tool ${event.toolVersion}`])
        parts.push(rows.map(([k, v]) => `- **${k}:** ${v}`).join('\n'))
        break
      }
      case 'param':
        parts.push(`- parameter \`${event.name}\` = \`${event.value}\` _(${event.source})_`)
        break
      case 'cell-start':
        cellNumber++
        parts.push(`## ${cellNumber}. ${event.title}`)
        break
      case 'output': {
        // The run opens by showing its title and summary; the header above already carries the title.
        const blocks = (event.blocks as readonly Block[]).map((b) =>
          title !== null && b.kind === 'markdown' && b.text.startsWith(`# ${title}\n`) ? { ...b, text: b.text.slice(`# ${title}\n`.length).trimStart() } : b,
        )
        parts.push(blocksToMarkdown(blocks))
        break
      }
      case 'decision':
        parts.push(`**Chosen:** \`${event.chosen}\` _(${event.source})_${event.recommended ? ` · recommended: \`${event.recommended}\`` : ''}`)
        break
      case 'plan':
        parts.push(`**Plan** \`${event.planHash}\`: ${event.summary}`)
        break
      case 'confirmation':
        parts.push(`**Confirmation** (${event.method}): ${event.accepted ? 'approved' : 'not given'}`)
        break
      case 'recheck':
        parts.push(
          event.drifts.length === 0
            ? '**Re-check** before applying: the cluster still matches the plan.'
            : `**Re-check** before applying: ${event.drifts.length} change(s) since the plan.`,
        )
        break
      case 'shell':
        parts.push(
          `\`\`\`\n$ ${event.command}\n${[event.stdout, event.stderr]
            .filter((s) => s.trim() !== '')
            .join('\n')
            .trim()}\n\`\`\`\nexit code ${event.exitCode ?? 'none (stopped)'}, ${event.durationMs} ms`,
        )
        break
      case 'undo-record':
        if (event.status === 'applied') parts.push(`Undo record: \`${event.path}\``)
        break
      case 'cell-end':
        if (event.outcome === 'skipped') parts.push(`_Skipped${event.reason ? `: ${event.reason}` : ''}._`)
        break
      case 'abort':
        parts.push(`> **Stopped:** ${event.reason}`)
        break
      case 'session-end':
        parts.push(
          `---\n**${statusWords[event.status] ?? event.status}** (exit ${event.exitCode}) at ${event.at}${event.message ? `\n\n${event.message}` : ''}`,
        )
        break
      default:
        break
    }
  }
  return parts.join('\n\n') + '\n'
}
