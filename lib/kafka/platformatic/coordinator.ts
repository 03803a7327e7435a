// Finding the coordinator of a group or a transactional id, and retrying the short windows when it is moving or loading.

import { type Connection, findCoordinatorV4, findCoordinatorV5, findCoordinatorV6 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import { offsetsPartitionOf } from '../group-coordination.ts'
import type { KafkaError } from '../types.ts'
import { askInRounds } from './list-offsets.ts'
import { readPartitionStates } from './partition-states.ts'
import { type Session, send } from './session.ts'

type Api = typeof findCoordinatorV6.api
const apis: Record<number, Api> = { 6: findCoordinatorV6.api, 5: findCoordinatorV5.api as unknown as Api, 4: findCoordinatorV4.api as unknown as Api }

/** What a coordinator coordinates: FindCoordinator's key type. */
export type CoordinatorKind = 'group' | 'transaction'
const keyTypes: Record<CoordinatorKind, number> = { group: 0, transaction: 1 }

/** Codes that mean "ask again in a moment": the coordinator is loading, moving or not elected yet. */
export const coordinatorRetryCodes: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
])
const attempts = 8
const pauseMs = 250

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export type CoordinatorAnswer = { broker: number } | { error: KafkaError }

/** `__consumer_offsets`' partition count, read once per session: Kafka never shrinks it. Null while it does not exist. */
const offsetsPartitionCounts = new WeakMap<Session, Promise<number | null>>()
export function offsetsPartitionCount(session: Session): Promise<number | null> {
  let count = offsetsPartitionCounts.get(session)
  if (!count) {
    count = readPartitionStates(session, ['__consumer_offsets'], { via: 'metadata' }).then(([t]) =>
      t && !t.error && t.partitions.length ? t.partitions.length : null,
    )
    // A failed read is not remembered: the next caller asks again.
    count.catch(() => offsetsPartitionCounts.delete(session))
    offsetsPartitionCounts.set(session, count)
  }
  return count
}

/**
 * Per `__consumer_offsets` partition led by `broker`: null when its group reads see every record of the partition,
 * else why not. A broker that has just become leader (an election, a broker killed) serves group reads at its high
 * watermark, which stays below what the previous leader had committed until the followers fetch from it again:
 * measured on 4.3.1, for about a second after a preferred election a group committed just before read as unknown,
 * with no offsets and no error. Kafka answers ListOffsets with OFFSET_NOT_AVAILABLE exactly while a leader's high
 * watermark is below the start of its leader epoch; once it is not, the coordinator has been told of the new high
 * watermark before any read we send after.
 */
export async function coordinatorCaughtUp(session: Session, broker: number, partitions: readonly number[]): Promise<Map<number, KafkaError | null>> {
  const items = partitions.map((partition) => ({ key: String(partition), topic: '__consumer_offsets', partition, timestamp: -1n }))
  const answers = await askInRounds(session, broker, -1, 'read_uncommitted', items)
  return new Map(
    partitions.map((partition) => {
      const answer = answers.get(String(partition))!
      return [partition, 'name' in answer ? answer : caughtUpVerdict(broker, partition, answer.errorCode)]
    }),
  )
}

/** What a leader's ListOffsets error code on a `__consumer_offsets` partition says of its group reads: null when they can be trusted. */
export function caughtUpVerdict(broker: number, partition: number, errorCode: number): KafkaError | null {
  if (errorCode === ErrorCode.OFFSET_NOT_AVAILABLE)
    return kafkaError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `broker ${broker} has not yet caught up with __consumer_offsets-${partition} as its new leader`)
  // A principal that may not describe __consumer_offsets cannot make this check: its coordinator's answer is
  // taken as Kafka's own tools take it, rather than every group of a secured cluster left unlisted.
  if (errorCode === 0 || errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) return null
  return kafkaError(errorCode)
}

/**
 * The coordinator's broker id for each key, asked in one request (FindCoordinator v4+ takes many keys), or the
 * error that kept it from being found. Keys whose coordinator is moving or loading are asked again, a bounded
 * number of times.
 */
export async function findCoordinators(session: Session, kind: CoordinatorKind, keys: readonly string[]): Promise<Map<string, CoordinatorAnswer>> {
  const found = new Map<string, CoordinatorAnswer>()
  const version = session.version(10, [4, 5, 6])
  if (version === null) {
    for (const key of keys) found.set(key, { error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'FindCoordinator v4+ is not served by this cluster') })
    return found
  }
  let pending = [...new Set(keys)]
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await pause(pauseMs)
    const answer = await session.anyBroker((c) => send(apis[version]!, c, keyTypes[kind], pending))
    const byKey = new Map(answer.coordinators.map((c) => [c.key, c]))
    const retry: string[] = []
    for (const key of pending) {
      const coordinator = byKey.get(key)
      if (coordinator && coordinator.errorCode === 0) found.set(key, { broker: coordinator.nodeId })
      else {
        const error = kafkaError(coordinator?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE, coordinator?.errorMessage)
        found.set(key, { error })
        if (coordinatorRetryCodes.has(error.code)) retry.push(key)
      }
    }
    pending = retry
  }
  return found
}

/** The coordinator's broker id for a group, or the error that kept it from being found. */
export async function findGroupCoordinator(session: Session, groupId: string): Promise<CoordinatorAnswer> {
  return (await findCoordinators(session, 'group', [groupId])).get(groupId)!
}

/**
 * Each group of a coordinator's answer by id, worked out once per answer: onCoordinators shares one answer among
 * all the groups its coordinator holds, and each of them is looked up in it (a linear search each is quadratic).
 */
export function byGroupId<G extends { groupId: string }>(): (groups: readonly G[]) => ReadonlyMap<string, G> {
  const seen = new WeakMap<readonly G[], ReadonlyMap<string, G>>()
  return (groups) => {
    let map = seen.get(groups)
    if (!map) seen.set(groups, (map = new Map(groups.map((g) => [g.groupId, g]))))
    return map
  }
}

/** Per key: its coordinator's answer (shared by the keys that coordinator answered together) and that broker, or its error. */
export type CoordinatorAnswers<T> = Map<string, { value: T; broker: number } | { error: KafkaError }>

/**
 * Runs a request on the coordinators of many keys: one FindCoordinator for all of them, then one request per
 * coordinator with its keys. `codesOf` reads each key's error code in an answer (0 when fine). A key whose code is
 * in coordinatorRetryCodes, whose coordinator did not answer, or whose answer `looksEmpty` from a group coordinator
 * that has not caught up with its partition, is found and asked again, a bounded number of times; then it keeps
 * the last error. Each key has its own outcome.
 */
export async function onCoordinators<T>(
  session: Session,
  keys: readonly string[],
  request: (connection: Connection, keys: string[]) => Promise<T>,
  codesOf: (answer: T) => ReadonlyMap<string, number>,
  kind: CoordinatorKind = 'group',
  looksEmpty?: (answer: T, key: string) => boolean,
): Promise<CoordinatorAnswers<T>> {
  const answers: CoordinatorAnswers<T> = new Map()
  /** Keys whose coordinator was seen caught up after an empty answer: the broker it was, for the next ask. */
  const caughtUpBefore = new Map<string, number>()
  let pending = [...new Set(keys)]
  /** Whether a key is asked again because of its answer's error (then after a pause), not only to confirm an empty answer. */
  let waitBeforeAsking = false
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (waitBeforeAsking) await pause(pauseMs)
    waitBeforeAsking = false
    const coordinators = await findCoordinators(session, kind, pending)
    const byBroker = new Map<number, string[]>()
    for (const key of pending) {
      const coordinator = coordinators.get(key)!
      if ('error' in coordinator) answers.set(key, coordinator)
      else byBroker.set(coordinator.broker, [...(byBroker.get(coordinator.broker) ?? []), key])
    }
    const retry: string[] = []
    await Promise.all(
      [...byBroker].map(async ([broker, asked]) => {
        const answer = await session.onBroker(broker, (c) => request(c, asked))
        if ('error' in answer) {
          for (const key of asked) answers.set(key, answer)
          retry.push(...asked)
          waitBeforeAsking = true
          return
        }
        const codes = codesOf(answer.value)
        const empty = asked.filter((key) => !coordinatorRetryCodes.has(codes.get(key) ?? 0) && looksEmpty?.(answer.value, key))
        const stale = kind === 'group' && empty.length ? await staleViews(session, broker, empty) : new Map<string, KafkaError>()
        for (const key of asked) {
          const code = codes.get(key) ?? 0
          const error = coordinatorRetryCodes.has(code) ? kafkaError(code) : stale.get(key)
          if (error) {
            answers.set(key, { error })
            retry.push(key)
            waitBeforeAsking = true
          } else if (empty.includes(key) && caughtUpBefore.get(key) !== broker) {
            // The check ran after the answer: the coordinator may have caught up in between, so this empty answer
            // can still be a stale one. Asked once more, at once (nothing to wait for), the answer comes from a
            // coordinator known to have caught up.
            caughtUpBefore.set(key, broker)
            answers.set(key, { value: answer.value, broker })
            retry.push(key)
          } else answers.set(key, { value: answer.value, broker })
        }
      }),
    )
    pending = retry
  }
  return answers
}

/**
 * Runs a request on the coordinator of a group (or of a transactional id): onCoordinators for one key. `codeOf`
 * reads the answer's error code (0 when fine).
 */
export async function onCoordinator<T>(
  session: Session,
  key: string,
  request: (connection: Connection) => Promise<T>,
  codeOf: (answer: T) => number,
  kind: CoordinatorKind = 'group',
  looksEmpty?: (answer: T) => boolean,
): Promise<{ value: T; broker: number } | { error: KafkaError }> {
  const answers = await onCoordinators(
    session,
    [key],
    (c) => request(c),
    (answer) => new Map([[key, codeOf(answer)]]),
    kind,
    looksEmpty && ((answer) => looksEmpty(answer)),
  )
  return answers.get(key)!
}

/** Per group whose coordinator's "no such group" or "no offsets" cannot be trusted yet: why. */
async function staleViews(session: Session, broker: number, groupIds: readonly string[]): Promise<Map<string, KafkaError>> {
  const count = await offsetsPartitionCount(session)
  if (count === null) return new Map()
  const caughtUp = await coordinatorCaughtUp(session, broker, [...new Set(groupIds.map((g) => offsetsPartitionOf(g, count)))])
  const stale = new Map<string, KafkaError>()
  for (const groupId of groupIds) {
    const error = caughtUp.get(offsetsPartitionOf(groupId, count))
    if (error) stale.set(groupId, error)
  }
  return stale
}
