// metadata.version feature levels and the release each one names. Read from
// org.apache.kafka.server.common.MetadataVersion in the 3.9.2 and 4.3.1 server-common jars
// (levels 1–21 agree in both; 22–31 from 4.3.1, where 4.3-IV0 is the newest production level).

const releaseByLevel: readonly string[] = [
  '', // level 0 is not a metadata.version
  '3.0-IV1',
  '3.1-IV0',
  '3.2-IV0',
  '3.3-IV0',
  '3.3-IV1',
  '3.3-IV2',
  '3.3-IV3',
  '3.4-IV0',
  '3.5-IV0',
  '3.5-IV1',
  '3.5-IV2',
  '3.6-IV0',
  '3.6-IV1',
  '3.6-IV2',
  '3.7-IV0',
  '3.7-IV1',
  '3.7-IV2',
  '3.7-IV3',
  '3.7-IV4',
  '3.8-IV0',
  '3.9-IV0',
  '4.0-IV0',
  '4.0-IV1',
  '4.0-IV2',
  '4.0-IV3',
  '4.1-IV0',
  '4.1-IV1',
  '4.2-IV0',
  '4.2-IV1',
  '4.3-IV0',
  '4.4-IV0',
]

/** "4.3-IV0" for level 30; null for a level this table does not know (a newer Kafka, or 0). */
export function metadataVersionName(level: number): string | null {
  if (!Number.isInteger(level) || level < 1 || level >= releaseByLevel.length) return null
  return releaseByLevel[level]!
}

/** "4.3" for "4.3-IV0". */
export function releaseLine(metadataVersion: string): string {
  return metadataVersion.split('-')[0]!
}
