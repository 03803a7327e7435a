// A bound on one request: the Kafka client's own timeout is long (a hung broker costs all of it), so a caller
// that must answer sooner waits this long and goes on without the answer, leaving the request to finish or fail.

/** The promise's value, or 'timedOut' after `ms`; a failure after that is dropped, one before it is thrown. */
export async function within<T>(work: Promise<T>, ms: number): Promise<{ value: T } | 'timedOut'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'timedOut'>((resolve) => {
    timer = setTimeout(() => resolve('timedOut'), ms)
  })
  const answered = work.then((value) => ({ value }))
  answered.catch(() => {})
  try {
    return await Promise.race([answered, late])
  } finally {
    clearTimeout(timer)
  }
}
