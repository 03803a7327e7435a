// Brokers apply a controller change (a config, a replica order) a moment after the controller answers: a read
// right after a write may still show the old value. Reads again for a few seconds before concluding.

const attempts = 40
const intervalMs = 250

/** The first read that `done` accepts, or the last read after about 10 s. */
export async function settle<T>(sleep: (ms: number) => Promise<void>, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read()
  for (let attempt = 1; attempt < attempts && !done(value); attempt++) {
    await sleep(intervalMs)
    value = await read()
  }
  return value
}
