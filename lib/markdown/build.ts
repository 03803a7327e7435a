// Turns a parsed Markdown runbook into the same Runbook a TypeScript module exports: front matter → id, title
// and typed parameters; prose → explain cells; fenced blocks → query, decide, action and shell cells built from
// the shared building blocks (lib/cells). Every problem is reported with its line.

import { param, type ParamSpec, type ParamSpecs } from '../engine/params.ts'
import { notebook, type Cell, type DecisionOption, type Runbook, type RunContext } from '../engine/runbook.ts'
import { brokersView, consumerGroupView, logDirsView, partitionHealthView, topicSettingsView, type QueryOutput } from '../cells/cluster-queries.ts'
import { topicConfigChange } from '../cells/topic-config-change.ts'
import type { KafkaOps } from '../kafka/types.ts'
import { isRecord, type CellBlock, type ParsedRunbook, type Problem } from './parse.ts'

type State = Record<string, never>
type Ctx = RunContext<State, ParamSpecs>

/** A query a Markdown block can name with `use:`, and the arguments it takes. */
interface QueryBlock {
  readonly doc: string
  readonly args: Readonly<Record<string, { readonly required: boolean; readonly help: string }>>
  run(kafka: KafkaOps, args: Readonly<Record<string, string>>): Promise<QueryOutput>
}

const queryBlocks: Readonly<Record<string, QueryBlock>> = {
  brokers: { doc: 'the brokers, their racks and states, and the active controller', args: {}, run: (kafka) => brokersView(kafka) },
  'topic-settings': {
    doc: 'a topic’s settings and where each comes from',
    args: {
      topic: { required: true, help: 'the topic' },
      names: { required: false, help: 'comma-separated setting names (default: those that differ from Kafka’s defaults)' },
    },
    run: (kafka, args) => topicSettingsView(kafka, args.topic!, splitList(args.names)),
  },
  'partition-health': {
    doc: 'partitions kafka-topics would report: unavailable, under or at min ISR, under-replicated',
    args: { topics: { required: false, help: 'comma-separated topics (default: all)' } },
    run: (kafka, args) => partitionHealthView(kafka, args.topics ? splitList(args.topics) : undefined),
  },
  'consumer-group': {
    doc: 'a consumer group’s state, members and lag per partition',
    args: { group: { required: true, help: 'the group id' } },
    run: (kafka, args) => consumerGroupView(kafka, args.group!),
  },
  'log-dirs': {
    doc: 'the biggest replicas on disk',
    args: { broker: { required: false, help: 'one broker id (default: all)' }, top: { required: false, help: 'how many to list (default 10)' } },
    run: (kafka, args) => logDirsView(kafka, args.broker === undefined ? undefined : Number(args.broker), args.top === undefined ? 10 : Number(args.top)),
  },
}

const actionBlocks = {
  'set-topic-config': {
    doc: 'sets one topic setting (IncrementalAlterConfigs), with preview, re-check, verification and undo',
    args: ['topic', 'config', 'value'],
  },
  'remove-topic-config': { doc: 'removes a topic’s own override of a setting, so it inherits again', args: ['topic', 'config'] },
} as const

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

export function buildMarkdownRunbook(parsed: ParsedRunbook, fileId: string): { runbook: Runbook<State, ParamSpecs> | null; problems: Problem[] } {
  const problems: Problem[] = []
  const fm = parsed.frontMatter
  const text = (key: string, required: boolean): string => {
    const value = fm[key]
    if (value === undefined || value === null || value === '') {
      if (required) problems.push({ line: 1, message: `the front matter needs "${key}"` })
      return ''
    }
    if (typeof value !== 'string') problems.push({ line: 1, message: `"${key}" in the front matter must be text` })
    return String(value)
  }
  const id = text('id', true)
  if (id && id !== fileId) problems.push({ line: 1, message: `id "${id}" must match the file name "${fileId}"` })
  const title = text('title', true)
  const summary = text('summary', true)
  const whenToUse = text('when-to-use', false) || text('whenToUse', false) || summary

  const params = readParams(fm.params, problems)
  const nb = notebook<State>()(params)
  const cells: Cell<State, ParamSpecs>[] = []
  const decisions = new Map<string, readonly string[]>()
  let proseCount = 0

  for (const part of parsed.parts) {
    if (part.type === 'prose') {
      proseCount++
      const heading = /^#{1,6}\s+(.+)$/m.exec(part.markdown)
      cells.push(
        nb.explain({
          id: `notes-${proseCount}`,
          title: heading?.[1]?.trim() ?? (proseCount === 1 ? 'About this incident' : 'Notes'),
          text: part.markdown.replace(/^#{1,6}\s+.+\n?/, '').trim() || part.markdown,
        }),
      )
      continue
    }
    const cell = buildCell(part, nb, params, decisions, problems)
    if (cell) cells.push(cell)
  }
  const seen = new Set<string>()
  for (const part of parsed.parts) {
    if (part.type !== 'cell' || !part.id) continue
    if (seen.has(part.id)) problems.push({ line: part.line, message: `the id "${part.id}" is used twice` })
    seen.add(part.id)
  }
  if (problems.length > 0) return { runbook: null, problems }
  return { runbook: nb.runbook({ id, title, summary, whenToUse, cells }), problems }
}

const paramBuilders: Record<
  string,
  (spec: Record<string, unknown>, common: { help: string; prompt?: string; optional?: boolean; secret?: boolean }) => ParamSpec<unknown>
> = {
  string: (_s, c) => param.string(c) as ParamSpec<unknown>,
  integer: (s, c) =>
    param.integer({ ...c, ...(typeof s.min === 'number' ? { min: s.min } : {}), ...(typeof s.max === 'number' ? { max: s.max } : {}) }) as ParamSpec<unknown>,
  count: (_s, c) => param.count({ ...c, allowNegative: true }) as ParamSpec<unknown>,
  boolean: (_s, c) => param.boolean(c) as ParamSpec<unknown>,
  duration: (_s, c) => param.duration(c) as ParamSpec<unknown>,
  datetime: (_s, c) => param.datetime(c) as ParamSpec<unknown>,
  list: (_s, c) => param.list({ ...c, item: (s: string) => s }) as ParamSpec<unknown>,
  choice: (s, c) => param.choice({ ...c, values: (Array.isArray(s.values) ? s.values.map(String) : []) as string[] }) as ParamSpec<unknown>,
}

function readParams(raw: unknown, problems: Problem[]): ParamSpecs {
  const params: Record<string, ParamSpec<unknown>> = {}
  if (raw === undefined) return params
  if (!isRecord(raw)) {
    problems.push({ line: 1, message: '"params" must map each parameter name to { type, help }' })
    return params
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) problems.push({ line: 1, message: `parameter "${name}" must be lower-case words joined by dashes` })
    const spec = isRecord(value) ? value : {}
    const type = typeof spec.type === 'string' ? spec.type : 'string'
    const builder = paramBuilders[type]
    if (!builder) {
      problems.push({ line: 1, message: `parameter "${name}" has type "${type}" — use one of ${Object.keys(paramBuilders).join(', ')}` })
      continue
    }
    if (typeof spec.help !== 'string' || spec.help.trim() === '') problems.push({ line: 1, message: `parameter "${name}" needs a "help" text` })
    if (type === 'choice' && (!Array.isArray(spec.values) || spec.values.length === 0))
      problems.push({ line: 1, message: `parameter "${name}" is a choice and needs "values"` })
    const built = builder(spec, {
      help: String(spec.help ?? ''),
      ...(typeof spec.prompt === 'string' ? { prompt: spec.prompt } : {}),
      ...(spec.optional === true ? { optional: true } : {}),
      ...(spec.secret === true ? { secret: true } : {}),
    })
    params[name] = spec.default === undefined ? built : { ...built, default: built.parse(String(spec.default), Date.now()) }
  }
  return params
}

/** `${name}` in a block's text → the parameter's value (asked for when needed). */
async function fill(template: string, ctx: Ctx): Promise<string> {
  let out = ''
  let last = 0
  for (const match of template.matchAll(/\$\{([a-z][a-z0-9-]*)\}/g)) {
    out += template.slice(last, match.index)
    const value = await ctx.param(match[1]!)
    out += value === undefined ? '' : formatValue(value)
    last = match.index! + match[0].length
  }
  return out + template.slice(last)
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',')
  return String(value)
}

function templateNames(text: string): string[] {
  return [...text.matchAll(/\$\{([a-z][a-z0-9-]*)\}/g)].map((m) => m[1]!)
}

type Nb = ReturnType<ReturnType<typeof notebook<State>>>

function buildCell(
  block: CellBlock,
  nb: Nb,
  params: ParamSpecs,
  decisions: Map<string, readonly string[]>,
  problems: Problem[],
): Cell<State, ParamSpecs> | null {
  const at = block.line
  const body = block.body
  const str = (key: string): string | undefined => (body[key] === undefined || body[key] === null ? undefined : String(body[key]))
  const title = str('title') ?? block.id
  const known = new Set(['title', 'when', ...expectedKeys(block)])
  for (const key of Object.keys(body))
    if (!known.has(key)) problems.push({ line: at, message: `${block.kind} ${block.id}: unknown key "${key}" — expected ${[...known].join(', ')}` })
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string') continue
    for (const name of templateNames(value))
      if (!(name in params)) problems.push({ line: at, message: `${block.kind} ${block.id}: \${${name}} in "${key}" is not a parameter of this runbook` })
  }
  const when = readWhen(str('when'), params, decisions, block, problems)
  const common = { id: block.id, title, ...(when ? { when: when.check, whenDoc: when.doc } : {}) }

  switch (block.kind) {
    case 'explain': {
      const variants = body.variants
      if (!isRecord(variants) || Object.keys(variants).length === 0) {
        problems.push({ line: at, message: `explain ${block.id} needs "variants": one text per Kafka line (4.x, 3.9…) or ELR state (on, off)` })
        return null
      }
      const pick = str('pick') ?? 'kafka-line'
      if (pick !== 'kafka-line' && pick !== 'elr') problems.push({ line: at, message: `explain ${block.id}: "pick" is kafka-line or elr` })
      const texts = Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, String(v)]))
      return nb.explain({
        ...common,
        text: texts,
        pick: async (ctx) => {
          const caps = await ctx.capabilities()
          const candidates =
            pick === 'elr' ? [caps.elr, 'default'] : [caps.kafkaLine ?? '', caps.kafkaLine ? `${caps.kafkaLine.split('.')[0]}.x` : '', 'default']
          return candidates.find((c) => c in texts) ?? Object.keys(texts)[0]!
        },
      })
    }
    case 'query': {
      const use = str('use')
      const spec = use ? queryBlocks[use] : undefined
      if (!spec) {
        problems.push({ line: at, message: `query ${block.id}: "use" must name one of ${Object.keys(queryBlocks).join(', ')}` })
        return null
      }
      for (const [name, arg] of Object.entries(spec.args))
        if (arg.required && str(name) === undefined) problems.push({ line: at, message: `query ${block.id}: ${use} needs "${name}" (${arg.help})` })
      return nb.query({
        ...common,
        doc: str('doc') ?? `Reads ${spec.doc}.`,
        async run(ctx) {
          const args: Record<string, string> = {}
          for (const name of Object.keys(spec.args)) if (str(name) !== undefined) args[name] = await fill(str(name)!, ctx)
          return spec.run(ctx.kafka, args)
        },
      })
    }
    case 'decide': {
      const options = Array.isArray(body.options) ? body.options : []
      const parsedOptions: DecisionOption[] = []
      options.forEach((option) => {
        if (!isRecord(option) || typeof option.value !== 'string' || typeof option.label !== 'string') {
          problems.push({ line: at, message: `decide ${block.id}: each option needs "value" and "label" (and "cost", "risk")` })
          return
        }
        parsedOptions.push({
          value: option.value,
          label: option.label,
          cost: String(option.cost ?? ''),
          risk: String(option.risk ?? ''),
          ...(option.recommended === true ? { recommended: true } : {}),
        })
      })
      if (parsedOptions.length < 2) problems.push({ line: at, message: `decide ${block.id} needs at least two options` })
      const question = str('question')
      if (!question) problems.push({ line: at, message: `decide ${block.id} needs a "question"` })
      const headlessDefault = str('headless-default')
      if (headlessDefault && !parsedOptions.some((o) => o.value === headlessDefault))
        problems.push({ line: at, message: `decide ${block.id}: headless-default "${headlessDefault}" is not one of its options` })
      decisions.set(
        block.id,
        parsedOptions.map((o) => o.value),
      )
      return nb.decide({
        ...common,
        doc: str('doc') ?? question ?? '',
        question: question ?? '',
        options: Object.fromEntries(parsedOptions.map((o) => [o.value, o.label])),
        price: () =>
          Object.fromEntries(parsedOptions.map(({ value, cost, risk, recommended }) => [value, { cost, risk, ...(recommended ? { recommended } : {}) }])),
        ...(str('because') ? { because: () => str('because') } : {}),
        ...(headlessDefault ? { headlessDefault } : {}),
      })
    }
    case 'action': {
      const use = str('use') as keyof typeof actionBlocks | undefined
      const spec = use ? actionBlocks[use] : undefined
      if (!spec) {
        problems.push({ line: at, message: `action ${block.id}: "use" must name one of ${Object.keys(actionBlocks).join(', ')}` })
        return null
      }
      for (const name of spec.args) if (str(name) === undefined) problems.push({ line: at, message: `action ${block.id}: ${use} needs "${name}"` })
      return topicConfigChange<State, ParamSpecs>({
        ...common,
        doc: str('doc') ?? `${spec.doc[0]!.toUpperCase()}${spec.doc.slice(1)}.`,
        targets: async (ctx) => [
          {
            topic: await fill(str('topic')!, ctx),
            name: await fill(str('config')!, ctx),
            value: use === 'remove-topic-config' ? null : await fill(str('value')!, ctx),
          },
        ],
      }) as Cell<State, ParamSpecs>
    }
    case 'shell': {
      const command = str('command')
      if (!command) problems.push({ line: at, message: `shell ${block.id} needs a "command" (e.g. \${restart-command})` })
      const confirmText = str('confirm')
      return nb.shell({
        ...common,
        doc: str('doc') ?? 'Runs your command after you confirm it.',
        command: async (ctx) => {
          const filled = (await fill(command ?? '', ctx)).trim()
          return filled === '' ? null : filled
        },
        skipReason: str('skip-reason') ?? 'no command given',
        ...(confirmText ? { confirmText: () => confirmText } : {}),
        ...(str('timeout') ? { timeoutMs: Number(str('timeout')) * 1000 } : {}),
      })
    }
  }
}

function expectedKeys(block: CellBlock): string[] {
  switch (block.kind) {
    case 'explain':
      return ['variants', 'pick']
    case 'query':
      return ['use', 'doc', ...Object.keys(queryBlocks[String(block.body.use)]?.args ?? {})]
    case 'decide':
      return ['question', 'options', 'doc', 'because', 'headless-default']
    case 'action':
      return ['use', 'doc', ...(actionBlocks[String(block.body.use) as keyof typeof actionBlocks]?.args ?? [])]
    case 'shell':
      return ['command', 'doc', 'confirm', 'timeout', 'skip-reason']
  }
}

/** `when: next is change`, `next is not change`, `notify-command is given` — checked against what came before. */
function readWhen(text: string | undefined, params: ParamSpecs, decisions: Map<string, readonly string[]>, block: CellBlock, problems: Problem[]) {
  if (text === undefined) return null
  const match = /^([a-z][a-z0-9-]*)\s+is\s+(not\s+)?(.+)$/.exec(text.trim())
  if (!match) {
    problems.push({
      line: block.line,
      message: `${block.kind} ${block.id}: "when" reads "<decision> is <option>", "<decision> is not <option>" or "<parameter> is given"`,
    })
    return null
  }
  const [, name, not, value] = match as unknown as [string, string, string | undefined, string]
  const negate = Boolean(not)
  if (value === 'given') {
    if (!(name in params)) problems.push({ line: block.line, message: `${block.kind} ${block.id}: "${name}" is not a parameter` })
    return {
      doc: `${name} is ${negate ? 'not ' : ''}given`,
      check: (ctx: Ctx) => ((ctx.given(name) !== undefined) !== negate ? true : `${name} is ${negate ? '' : 'not '}given`),
    }
  }
  const options = decisions.get(name)
  if (!options) problems.push({ line: block.line, message: `${block.kind} ${block.id}: "${name}" is not a decision made before this cell` })
  else if (!options.includes(value))
    problems.push({ line: block.line, message: `${block.kind} ${block.id}: "${value}" is not an option of ${name} (${options.join(', ')})` })
  return {
    doc: `the decision ${name} is ${negate ? 'not ' : ''}${value}`,
    check: (ctx: Ctx) => ((ctx.decision(name) === value) !== negate ? true : `the decision ${name} was ${ctx.decision(name) ?? 'not made'}`),
  }
}
