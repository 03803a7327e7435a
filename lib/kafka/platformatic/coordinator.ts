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
  let last: { error: KafkaError } = { error: kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE) }
  for (let attempt = 0; attempt < attempts; attempt++) {
    const coordinator = (await findCoordinators(session, kind, [key])).get(key)!
    if ('error' in coordinator) return coordinator
    const answer = await session.onBroker(coordinator.broker, request)
    if ('error' in answer) last = answer
    else {
      const code = codeOf(answer.value)
      if (!coordinatorRetryCodes.has(code)) return { value: answer.value, broker: coordinator.broker }
      last = { error: kafkaError(code) }
    }
    await pause(pauseMs)
  }
  return last
}
