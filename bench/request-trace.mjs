// Where a command's wall time goes between it and the brokers: per Kafka request, when it was written, when its
// first and last bytes came back, when the client had decoded it, which broker, how many bytes. Loaded beside the
// built CLI, never by it: it listens on the client's diagnostics channels and on Node's socket channel, so the
// product carries no timing code.
//   node --import ./bench/request-trace.mjs bin/runbook.js status --bootstrap-server …   (table on stderr at exit)
//   RUNBOOK_REQUEST_TRACE=trace.json …   (the same as JSON, into that file)
// Times are milliseconds since the process started; "first" and "last" are when the answer's first and last bytes
// reached the process (a broker answers one request per connection at a time, so a request's "first" minus its
// "sent" includes the answers queued before it on that connection). The event loop's busy and idle time are given
// for the whole run and for the window from the first request sent to the last answer decoded: idle there is time
// spent waiting on brokers with nothing of ours to do.

import { subscribe, tracingChannel } from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const apiNames = {
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  9: 'OffsetFetch',
  10: 'FindCoordinator',
  15: 'DescribeGroups',
  16: 'ListGroups',
  17: 'SaslHandshake',
  18: 'ApiVersions',
  32: 'DescribeConfigs',
  36: 'SaslAuthenticate',
  46: 'ListPartitionReassignments',
  55: 'DescribeQuorum',
  60: 'DescribeCluster',
  69: 'ConsumerGroupDescribe',
  74: 'ListConfigResources',
  75: 'DescribeTopicPartitions',
}

/**
 * Per socket: when it opened and connected, and the answers that have arrived and are not yet claimed by a
 * request (each: when its first and last bytes came, its size). Kafka frames every answer with its length, so
 * answers are told apart even when several share a chunk or one spans many.
 */
const sockets = new Map()
const requests = []
let loopAtFirstRequest = null
let loopInWindow = null

function socketLog(socket) {
  let log = sockets.get(socket)
  if (log) return log
  log = { openedAt: performance.now(), connectedAt: null, answers: [], header: Buffer.alloc(0), left: 0, size: 0, firstAt: 0 }
  sockets.set(socket, log)
  socket.once('connect', () => (log.connectedAt = performance.now()))
  // Before the client's own listener: the client decodes an answer inside its data handler.
  socket.prependListener('data', (chunk) => {
    const now = performance.now()
    let at = 0
    while (at < chunk.length) {
      if (log.left === 0) {
        const take = Math.min(4 - log.header.length, chunk.length - at)
        if (log.header.length === 0) log.firstAt = now
        log.header = Buffer.concat([log.header, chunk.subarray(at, at + take)])
        at += take
        if (log.header.length < 4) break
        log.size = log.header.readInt32BE(0) + 4
        log.left = log.size - 4
        log.header = Buffer.alloc(0)
      }
      const take = Math.min(log.left, chunk.length - at)
      log.left -= take
      at += take
      if (log.left === 0) log.answers.push({ firstByteAt: log.firstAt, lastByteAt: now, bytesIn: log.size })
    }
  })
  return log
}

subscribe('net.client.socket', ({ socket }) => socketLog(socket))

tracingChannel('plt:kafka:connections:api').subscribe({
  start(context) {
    loopAtFirstRequest ??= performance.eventLoopUtilization()
    const connection = context.connection
    const log = connection.socket ? socketLog(connection.socket) : null
    const request = { api: apiNames[context.apiKey] ?? `api ${context.apiKey}`, version: context.apiVersion, broker: `${connection.host}:${connection.port}` }
    request.sentAt = performance.now()
    context.traced = { request, log }
    requests.push(request)
  },
  asyncStart(context) {
    const { request, log } = context.traced ?? {}
    if (!request) return
    request.decodedAt = performance.now()
    // A connection's answers are decoded in the order they arrive: the oldest unclaimed one is this request's.
    Object.assign(request, log?.answers.shift() ?? {})
    if (context.error) request.error = String(context.error.message ?? context.error)
  },
  asyncEnd(context) {
    if (!context.traced) return
    context.traced.request.doneAt = performance.now()
    loopInWindow = performance.eventLoopUtilization(loopAtFirstRequest)
  },
  end() {},
  error() {},
})

const ms = (value) => (value == null ? '-' : value.toFixed(0)).padStart(6)

process.on('exit', () => {
  const usage = process.cpuUsage()
  const trace = {
    exitAt: performance.now(),
    cpuMs: (usage.user + usage.system) / 1000,
    loop: { busyMs: performance.eventLoopUtilization().active, idleMs: performance.eventLoopUtilization().idle },
    loopInWindow: loopInWindow && { busyMs: loopInWindow.active, idleMs: loopInWindow.idle },
    sockets: [...sockets.values()].map(({ openedAt, connectedAt }) => ({ openedAt, connectedAt })),
    requests,
  }
  if (process.env.RUNBOOK_REQUEST_TRACE) {
    writeFileSync(process.env.RUNBOOK_REQUEST_TRACE, JSON.stringify(trace, null, 2))
    return
  }
  const lines = [
    `request trace: exit at ${ms(trace.exitAt).trim()} ms, CPU ${ms(trace.cpuMs).trim()} ms; event loop busy ${ms(trace.loop.busyMs).trim()} ms, idle ${ms(trace.loop.idleMs).trim()} ms`,
  ]
  if (trace.loopInWindow)
    lines.push(
      `  event loop from first request to last answer: busy ${ms(trace.loopInWindow.busyMs).trim()} ms, idle ${ms(trace.loopInWindow.idleMs).trim()} ms`,
    )
  lines.push(`  ${'request'.padEnd(30)} ${'broker'.padEnd(21)}   sent  first   last decoded  bytes in`)
  for (const r of requests)
    lines.push(
      `  ${`${r.api} v${r.version}`.padEnd(30)} ${r.broker.padEnd(21)} ${ms(r.sentAt)} ${ms(r.firstByteAt)} ${ms(r.lastByteAt)} ${ms(r.decodedAt)}  ${String(r.bytesIn ?? '-').padStart(8)}${r.error ? `  ${r.error}` : ''}`,
    )
  process.stderr.write(lines.join('\n') + '\n')
})
