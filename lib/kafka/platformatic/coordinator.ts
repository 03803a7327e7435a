// Finding the coordinator of a group or a transactional id, and retrying the short windows when it is moving or loading.

import { type Connection, findCoordinatorV4, findCoordinatorV5, findCoordinatorV6 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { KafkaError } from '../types.ts'
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

/** Lookups started in the same turn of the event loop, per session and key type: they share one request. */
const gathering = new WeakMap<Session, Map<CoordinatorKind, { keys: Set<string>; answer: Promise<Map<string, FindCoordinatorKey>> }>>()
type FindCoordinatorKey = { nodeId: number; errorCode: number; errorMessage?: string | null }

/**
 * One FindCoordinator request for every key asked in this turn: status reads a group's description and its
 * committed offsets side by side, and both need the same coordinators.
 */
function askCoordinators(session: Session, kind: CoordinatorKind, version: number, keys: readonly string[]): Promise<Map<string, FindCoordinatorKey>> {
  let byKind = gathering.get(session)
  if (!byKind) gathering.set(session, (byKind = new Map()))
  const gathered = byKind
  let batch = gathered.get(kind)
  if (!batch) {
    const asked = new Set<string>()
    const answer = new Promise((resolve) => setImmediate(resolve)).then(async (): Promise<Map<string, FindCoordinatorKey>> => {
      gathered.delete(kind)
      const answer = await session.anyBroker((c) => send(apis[version]!, c, keyTypes[kind], [...asked]))
      return new Map(answer.coordinators.map((c) => [c.key, c]))
    })
    batch = { keys: asked, answer }
    gathered.set(kind, batch)
  }
  for (const key of keys) batch.keys.add(key)
  return batch.answer
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
    const byKey = await askCoordinators(session, kind, version, pending)
    const retry: string[] = []
    for (const key of pending) {
      const coordinator = byKey.get(key)
      if (coordinator && coordinator.errorCode === 0) found.set(key, { broker: coordinator.nodeId })
      else {
        const error = kafkaError(coordinator?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE, coordinator?.errorMessage ?? undefined)
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

/** Per key: the answer of its coordinator (shared by the keys that coordinator answered together), or its error. */
export type CoordinatorAnswers<T> = Map<string, { value: T; broker: number } | { error: KafkaError }>

/**
 * Runs a request on the coordinators of many keys: one FindCoordinator for all of them, then one request per
 * coordinator with its keys. `codesOf` reads each key's error code in an answer (0 when fine, a key left out
 * counts as fine); the keys whose code is in coordinatorRetryCodes, or whose coordinator did not answer, are
 * found and asked again, a bounded number of times. Each key keeps its own error.
 */
export async function onCoordinators<T>(
  session: Session,
  keys: readonly string[],
  request: (connection: Connection, keys: string[]) => Promise<T>,
  codesOf: (answer: T) => ReadonlyMap<string, number>,
  kind: CoordinatorKind = 'group',
): Promise<CoordinatorAnswers<T>> {
  const answers: CoordinatorAnswers<T> = new Map()
  let pending = [...new Set(keys)]
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await pause(pauseMs)
    const coordinators = await findCoordinators(session, kind, pending)
    const byBroker = new Map<number, string[]>()
    for (const key of pending) {
      const coordinator = coordinators.get(key)!
      if ('error' in coordinator) answers.set(key, coordinator)
      else (byBroker.get(coordinator.broker) ?? byBroker.set(coordinator.broker, []).get(coordinator.broker)!).push(key)
    }
    const retry: string[] = []
    await Promise.all(
      [...byBroker].map(async ([broker, asked]) => {
        const answer = await session.onBroker(broker, (c) => request(c, asked))
        if ('error' in answer) {
          for (const key of asked) answers.set(key, answer)
          retry.push(...asked)
          return
        }
        const codes = codesOf(answer.value)
        for (const key of asked) {
          const code = codes.get(key) ?? 0
          if (coordinatorRetryCodes.has(code)) {
            answers.set(key, { error: kafkaError(code) })
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
 * Runs a request on the coordinator of a group (or of a transactional id). `codeOf` reads the answer's error
 * code (0 when fine); a code in coordinatorRetryCodes sends the request again, to a freshly found coordinator,
 * a bounded number of times.
 */
export async function onCoordinator<T>(
  session: Session,
  key: string,
  request: (connection: Connection) => Promise<T>,
  codeOf: (answer: T) => number,
  kind: CoordinatorKind = 'group',
): Promise<{ value: T; broker: number } | { error: KafkaError }> {
  const answers = await onCoordinators(
    session,
    [key],
    (c) => request(c),
    (answer) => new Map([[key, codeOf(answer)]]),
    kind,
  )
  return answers.get(key)!
}
