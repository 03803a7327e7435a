// The architecture, declared once. Every folder of lib/ and runbooks/ belongs to the layer with the longest
// matching path; a layer imports only itself and the layers it lists under `may` — every other arrow is a
// "never". eslint.config.js turns this table into its import rules; ARCHITECTURE.md says the same in words;
// test/architecture.test.ts lints one forbidden import per rule and checks that each is rejected.

/** @typedef {{ name: string, paths: string[], job: string, may: string[], pure?: boolean, readsThrough?: string }} Layer */

/** @type {Layer[]} From the top (what nothing imports) to the bottom (what imports nothing of ours). */
export const layers = [
  {
    name: 'cli',
    paths: ['lib/cli'],
    job: 'one file per subcommand: parses flags, wires the real adapters (the Kafka door, the sandbox probe), prints',
    may: [
      'drills',
      'markdown',
      'engine',
      'terminal',
      'reads',
      'plans',
      'format',
      'kafka-door',
      'kafka-log-dir-door',
      'kafka-log-dir',
      'kafka-adapter',
      'kafka-port',
      'sandbox',
    ],
  },
  {
    name: 'surface',
    paths: ['lib/index.ts'],
    job: 'the package a team imports as `kafka-runbooks`: the authoring API, the shared cells and readers',
    may: ['engine', 'cells', 'reads', 'format', 'kafka-port', 'poll'],
  },
  {
    name: 'testkit',
    paths: ['lib/testkit'],
    job: '`kafka-runbooks/testing`: an in-memory cluster and a runner that plays a runbook headless or scripted',
    may: ['engine', 'terminal', 'format', 'kafka-fake', 'kafka-port'],
  },
  {
    name: 'drills',
    paths: ['lib/drills'],
    job: 'scenarios, fault injection, scoring; clients come injected (ctx.connect), never from the Kafka door',
    may: ['engine', 'reads', 'plans', 'format', 'kafka-port', 'sandbox', 'workloads', 'poll'],
  },
  {
    name: 'workloads',
    paths: ['lib/drills/workloads'],
    job: 'the kafkajs services a drill runs as child processes (the only place kafkajs is imported)',
    may: [],
  },
  {
    name: 'runbooks',
    paths: ['runbooks'],
    job: 'one incident each, built from cells; reads the cluster through lib/reads, changes it through KafkaOps',
    may: ['cells', 'engine', 'reads', 'plans', 'format', 'kafka-port', 'poll'],
    readsThrough: 'lib/reads',
  },
  {
    name: 'markdown',
    paths: ['lib/markdown'],
    job: 'Markdown runbooks: front matter and fenced blocks built into the same cells',
    may: ['cells', 'engine', 'reads', 'plans', 'format', 'kafka-port'],
  },
  {
    name: 'cells',
    paths: ['lib/cells'],
    job: 'ready-made cells several runbooks share (a topic config change, an offset change of a stopped group, views)',
    may: ['engine', 'reads', 'plans', 'format', 'kafka-port', 'poll'],
  },
  {
    name: 'terminal',
    paths: ['lib/terminal'],
    job: 'the TTY Io and the renderer (Inquirer, ora, marked, string-width)',
    may: ['engine', 'format'],
  },
  {
    name: 'engine',
    paths: ['lib/engine'],
    job: 'the authoring API and the runner: params, cells, preview → confirm → re-check → apply → verify, undo, transcript',
    may: ['format', 'kafka-port', 'kafka-log-dir'],
  },
  {
    name: 'reads',
    paths: ['lib/reads'],
    job: 'KafkaOps in, plain snapshots out: every read a runbook or cell makes of the cluster (and of a dead broker’s log directory)',
    may: ['plans', 'format', 'kafka-port', 'kafka-log-dir'],
  },
  {
    name: 'plans',
    paths: ['lib/plans'],
    job: 'pure: snapshot and operator input in, plan, estimate or fault out (no I/O, no clock)',
    may: ['format', 'kafka-port', 'kafka-log-dir'],
    pure: true,
  },
  {
    name: 'poll',
    paths: ['lib/poll'],
    job: 'the one polling helper: wait until a check holds, bounded by reads or a deadline, on an injected clock',
    may: ['format'],
    pure: true,
  },
  {
    name: 'format',
    paths: ['lib/format'],
    job: 'pure: how counts, times and severities are worded and ranked',
    may: [],
    pure: true,
  },
  {
    name: 'kafka-door',
    paths: ['lib/kafka/index.ts'],
    job: '`connect`: the one way to a real cluster, loading the adapter on first use',
    may: ['kafka-port', 'kafka-adapter'],
  },
  {
    name: 'kafka-log-dir-door',
    paths: ['lib/kafka/log-dir/index.ts'],
    job: '`openLogDir`: a stopped broker’s log directory, checked for owner and liveness; loads the batch decoder on first use',
    may: ['kafka-log-dir', 'kafka-port', 'kafka-adapter'],
  },
  {
    name: 'kafka-adapter',
    paths: ['lib/kafka/platformatic'],
    job: 'KafkaOps on @platformatic/kafka (the client enters through its client.ts), and the sandbox readiness probe',
    may: ['kafka-port', 'kafka-log-dir'],
  },
  {
    name: 'kafka-fake',
    paths: ['lib/kafka/fake'],
    job: 'KafkaOps in memory, kept honest by the contract suite',
    may: ['kafka-port', 'kafka-log-dir'],
  },
  {
    name: 'kafka-log-dir',
    paths: ['lib/kafka/log-dir'],
    job: 'the on-disk log of a stopped broker: segment files, indexes, epochs, read without a JVM (its types shared with plans)',
    may: ['kafka-port'],
  },
  {
    name: 'kafka-port',
    paths: ['lib/kafka'],
    job: 'the client-neutral KafkaOps interface, its types and errors, pure helpers on them',
    may: [],
  },
  {
    name: 'sandbox',
    paths: ['lib/sandbox'],
    job: 'a real KRaft cluster from Maven Central jars as local JVMs; node built-ins (and node-forge for its certificates); its probe is injected',
    may: ['poll'],
  },
]

/** Third-party packages, and the only paths that may import each one. */
export const packages = [
  {
    name: '@platformatic/kafka',
    only: ['lib/kafka/platformatic/client.ts', 'lib/kafka/platformatic/sandbox-probe.ts'],
    why: 'the build bundles only what client.ts re-exports; the probe needs the Producer the bundle leaves out',
  },
  { name: 'kafkajs', only: ['lib/drills/workloads'], why: 'kafkajs plays the typical Node service in drills, nothing else' },
  { name: '@inquirer/prompts', only: ['lib/terminal'], why: 'prompts belong to the terminal Io' },
  { name: 'ora', only: ['lib/terminal'], why: 'spinners belong to the terminal Io' },
  { name: 'string-width', only: ['lib/terminal/table-layout.ts'], why: 'terminal columns of wide characters and emoji, where a table cell holds them' },
  { name: 'cli-table3', only: [], why: 'tests only: the table layout is held equal to it' },
  { name: 'marked', only: ['lib/terminal'], why: 'Markdown is drawn by the terminal renderer' },
  { name: 'yaml', only: ['lib/markdown'], why: 'front matter and block bodies of Markdown runbooks' },
  { name: 'zx', only: ['lib/engine'], why: 'shell cells run the operator’s command' },
  { name: 'fzstd', only: ['lib/kafka/platformatic/record-batches.ts'], why: 'zstd batches are decoded where record batches are' },
  { name: 'jks-js', only: ['lib/kafka/key-stores.ts'], why: 'Java key stores are read in one place' },
  {
    name: 'node-forge',
    only: ['lib/kafka/key-stores.ts', 'lib/sandbox/pki.ts'],
    why: 'PKCS#12 stores are read, and the sandbox’s certificates made, in one place each',
  },
  { name: 'typescript', only: ['lib/drills/ts-loader'], why: 'dev-only loading of the drill workloads from sources on Node 20' },
  { name: 'vitest', only: [], why: 'tests only' },
]

/** Folders outside the layers that nothing in lib/ or runbooks/ imports. */
export const outside = ['test', 'bench', 'scripts']
