// Port collisions are found before any JVM starts, so the error names the port instead of a broker dying
// later with a bind exception in its log.

import { createServer } from 'node:net'

/** Resolves true when nothing listens on 127.0.0.1:port (we could bind it ourselves). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/** The first port of the list that is taken, or null when all are free. */
export async function firstBusyPort(ports: readonly number[]): Promise<number | null> {
  const free = await Promise.all(ports.map(portIsFree))
  const index = free.indexOf(false)
  return index === -1 ? null : ports[index]!
}
