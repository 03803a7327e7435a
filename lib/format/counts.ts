// Numbers in sentences: grouped digits, and the noun and verb that agree with the count. Pure, so planners
// and runbooks word their counts the same way.

/** 1234567 → "1,234,567"; the same grouping on every machine, whatever its locale. */
export function formatCount(value: number | bigint): string {
  const text = value.toString()
  const negative = text.startsWith('-')
  const digits = negative ? text.slice(1) : text
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return negative ? `-${grouped}` : grouped
}

const isOne = (value: number | bigint) => value === 1 || value === 1n

/** 1 → "1 topic", 3 → "3 topics" (with grouping: "1,204 partitions"). */
export function counted(value: number | bigint, singular: string, plural = `${singular}s`): string {
  return `${formatCount(value)} ${isOne(value) ? singular : plural}`
}

/** The verb form that agrees with a count: agree(1, 'has', 'have') → "has", agree(3, 'has', 'have') → "have". */
export function agree(value: number | bigint, singular: string, plural: string): string {
  return isOne(value) ? singular : plural
}
