// What the cluster says of salvaged transactions whose marker the dead leader's log does not hold: their
// coordinators (ListTransactions filtered on the producer ids, then DescribeTransactions), and — once the partition
// leads again — the markers its new leader wrote from the cut on and the transactions it keeps open
// (DescribeProducers), which are the hanging ones when they start below the cut.

import type { SalvageMarker, TransactionOutcome } from '../kafka/salvage-file.ts'
import type { KafkaOps, TopicPartition } from '../kafka/types.ts'
import {
  type CoordinatorWord,
  type LiveTransactionFacts,
  outcomeFromCoordinator,
  outcomeFromLeaderMarkers,
  type UndecidedTransaction,
} from '../plans/salvage.ts'

/** How far past the cut the new leader's log is searched for markers at most. */
export const leaderMarkerScanLimit = 100_000n

/** Each transaction's outcome as its coordinator tells it (one 'unknown' line each when none can be asked). */
export async function readCoordinatorOutcomes(
  kafka: KafkaOps,
  tp: TopicPartition,
  transactions: readonly UndecidedTransaction[],
): Promise<TransactionOutcome[]> {
  if (transactions.length === 0) return []
  const producerIds = [...new Set(transactions.map((t) => t.producerId))]
  const listed = await kafka.listTransactions({ producerIds })
  const ids = new Map<bigint, string>()
  for (const answer of listed) for (const t of answer.transactions) if (producerIds.includes(t.producerId)) ids.set(t.producerId, t.transactionalId)
  const described = ids.size ? await kafka.describeTransactions([...new Set(ids.values())]) : []
  const wordOf = (producerId: bigint): CoordinatorWord | null => {
    const d = described.find((d) => d.transactionalId === ids.get(producerId) && !d.error)
    return d ? { transactionalId: d.transactionalId, producerId: d.producerId, producerEpoch: d.producerEpoch, state: d.state, partitions: d.partitions } : null
  }
  const unasked = listed.flatMap((answer) => (answer.error ? [{ broker: answer.broker, reason: answer.error.message.split('\n')[0] ?? '' }] : []))
  return transactions.map((t) => outcomeFromCoordinator(t, wordOf(t.producerId), tp, unasked))
}

/** After the election: the new leader's markers from the cut on, its open transactions, and the coordinators' word. */
export async function readLiveTransactionFacts(
  kafka: KafkaOps,
  tp: TopicPartition,
  cut: bigint,
  transactions: readonly UndecidedTransaction[],
): Promise<LiveTransactionFacts> {
  const [producers] = await kafka.describeProducers([tp])
  const openOnLeader = (producers?.producers ?? []).flatMap((p) =>
    p.transactionStartOffset === null ? [] : [{ producerId: p.producerId, producerEpoch: p.producerEpoch, startOffset: p.transactionStartOffset }],
  )
  if (transactions.length === 0) return { outcomes: [], openOnLeader }
  const markers: SalvageMarker[] = []
  for (let offset = cut; offset < cut + leaderMarkerScanLimit;) {
    const [answer] = await kafka.fetchRecords([{ ...tp, offset, maxRecords: 5000 }])
    if (!answer || answer.error || answer.nextOffset <= offset) break
    for (const batch of answer.batches)
      if (batch.control) for (const m of batch.markers) markers.push({ ...m, producerId: batch.producerId, producerEpoch: batch.producerEpoch })
    offset = answer.nextOffset
  }
  const fromLeader = transactions.flatMap((t) => outcomeFromLeaderMarkers(t, markers) ?? [])
  const rest = transactions.filter((t) => !fromLeader.some((o) => o.producerId === t.producerId && o.firstOffset === t.firstOffset))
  return { outcomes: [...fromLeader, ...(await readCoordinatorOutcomes(kafka, tp, rest))], openOnLeader }
}
