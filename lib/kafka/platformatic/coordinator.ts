// Finding a group's coordinator, and retrying the short windows when it is moving or loading.

import { type Connection, findCoordinatorV4, findCoordinatorV5, findCoordinatorV6 } from './client.ts'
import { ErrorCode, kafkaError } from '../errors.ts'
import type { KafkaError } from '../types.ts'
import { type Session, send } from './session.ts'

type Api = typeof findCoordinatorV6.api
const apis: Record<number, Api> = { 6: findCoordinatorV6.api, 5: findCoordinatorV5.api as unknown as Api, 4: findCoordinatorV4.api as unknown as Api }

/** Codes that mean "ask again in a moment": the coordinator is loading, moving or not elected yet. */
export const coordinatorRetryCodes: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  14, // COORDINATOR_LOAD_IN_PROGRESS
])
const attempts = 8
const pauseMs = 250

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The coordinator's broker id for a group, or the error that kept it from being found. */
export async function findGroupCoordinator(session: Session, groupId: string): Promise<{ broker: number } | { error: KafkaError }> {
  const version = session.version(10, [4, 5, 6])
  if (version === null) return { error: kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'FindCoordinator v4+ is not served by this cluster') }
  let last: KafkaError = kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  for (let attempt = 0; attempt < attempts; attempt++) {
    const answer = await session.anyBroker((c) => send(apis[version]!, c, 0, [groupId]))
    const found = answer.coordinators[0]
    if (found && found.errorCode === 0) return { broker: found.nodeId }
    last = kafkaError(found?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE, found?.errorMessage)
    if (!coordinatorRetryCodes.has(last.code)) break
    await pause(pauseMs)
  }
  return { error: last }
}

/**
 * Runs a group request on the coordinator. `retryable` reads the answer's error code (0 when fine); a code in
 * coordinatorRetryCodes sends the request again, to a freshly found coordinator, a bounded number of times.
 */
export async function onCoordinator<T>(
  session: Session,
  groupId: string,
  request: (connection: Connection) => Promise<T>,
  codeOf: (answer: T) => number,
): Promise<{ value: T; broker: number } | { error: KafkaError }> {
  let last: { error: KafkaError } = { error: kafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE) }
  for (let attempt = 0; attempt < attempts; attempt++) {
    const coordinator = await findGroupCoordinator(session, groupId)
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
