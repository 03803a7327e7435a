// ApiVersions as real brokers advertised them (ApiVersions v4 against the project's sandboxes), for the
// keys the access layer uses, so the fake's capabilities() says what the real cluster would say.

type Ranges = readonly (readonly [key: number, min: number, max: number])[]

const kafka43: Ranges = [
  [0, 0, 13],
  [2, 1, 11],
  [3, 0, 13],
  [8, 2, 10],
  [9, 1, 10],
  [10, 0, 6],
  [15, 0, 6],
  [16, 0, 5],
  [18, 0, 4],
  [19, 2, 7],
  [20, 1, 6],
  [21, 0, 2],
  [22, 0, 5],
  [27, 1, 2],
  [32, 1, 4],
  [35, 1, 5],
  [43, 0, 2],
  [44, 0, 1],
  [45, 0, 1],
  [46, 0, 0],
  [55, 0, 2],
  [60, 0, 2],
  [61, 0, 0],
  [65, 0, 0],
  [66, 0, 2],
  [69, 0, 1],
  [75, 0, 0],
]

const kafka39: Ranges = [
  [0, 0, 11],
  [2, 0, 9],
  [3, 0, 12],
  [8, 0, 9],
  [9, 0, 9],
  [10, 0, 6],
  [15, 0, 5],
  [16, 0, 5],
  [18, 0, 4],
  [19, 0, 7],
  [20, 0, 6],
  [21, 0, 2],
  [22, 0, 5],
  [27, 0, 1],
  [32, 0, 4],
  [35, 0, 4],
  [43, 0, 2],
  [44, 0, 1],
  [45, 0, 0],
  [46, 0, 0],
  [55, 0, 2],
  [60, 0, 1],
  [61, 0, 0],
  [65, 0, 0],
  [66, 0, 1],
  [69, 0, 0],
  [75, 0, 0],
]

/** Finalized features of a freshly formatted cluster of that line (ELR as the fake was told). */
export function recordedFeatures(line: string, elr: boolean): { finalized: Map<string, number>; supported: Set<string> } {
  if (line === '3.9') return { finalized: new Map([['metadata.version', 21]]), supported: new Set(['metadata.version', 'kraft.version']) }
  return {
    finalized: new Map([
      ['metadata.version', 30],
      ['group.version', 1],
      ['transaction.version', 2],
      // A feature at level 0 is not finalized, so it is not listed.
      ...(elr ? [['eligible.leader.replicas.version', 1] as [string, number]] : []),
    ]),
    supported: new Set(['metadata.version', 'kraft.version', 'group.version', 'transaction.version', 'eligible.leader.replicas.version']),
  }
}

/** API key → range for a release line the fake imitates ("4.3" or "3.9"). */
export function recordedApis(line: string): Map<number, { min: number; max: number }> {
  const table = line === '3.9' ? kafka39 : kafka43
  return new Map(table.map(([key, min, max]) => [key, { min, max }]))
}
