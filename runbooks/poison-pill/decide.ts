// The decision, each way priced from what the run read: skip exactly the stuck record, copy it to a dead-letter
// topic first and then skip it (recommended), change nothing (the fix is in the service), or skip N records.

import { counted, formatCount } from '../../lib/engine/blocks.ts'
import type { Look } from './notebook.ts'
import { defaultDlqTopic, nb, tpKey } from './notebook.ts'
import { evidenceSays } from './text.ts'

const stuckOf = (look: Look) => look.view.records[look.location.index]!

export const actionCell = nb.decide({
  id: 'action',
  title: 'What to do about the record',
  doc: 'Skip exactly the stuck record on that one partition; copy it whole to a dead-letter topic first and then skip it (recommended: the service owners keep it); skip nothing (the fix is in the service); or skip N records from the stuck one on (count=). Every way that skips moves one committed offset of one group, with the group stopped.',
  question: 'What do you want to do with the stuck record?',
  options: {
    'dlq-and-skip': 'Copy it to a dead-letter topic, then skip it',
    skip: 'Skip exactly it',
    'no-skip': 'Skip nothing: fix the service',
    'skip-n': 'Skip N records from it on',
  },
  price(ctx) {
    const target = ctx.need('target')
    const look = ctx.need('look')
    const stuck = stuckOf(look)
    const passed = look.location.index
    const after = look.view.records.length - look.location.index - 1
    const others = `every other partition of group ${target.groupId} untouched`
    const passedNote = passed > 0 ? ` (and the ${counted(passed, 'record')} before it, which the service handles before every crash)` : ''
    const dlq = ctx.given('dlq-topic') ?? defaultDlqTopic(target.topic)
    return {
      'dlq-and-skip': {
        label: `Copy offset ${stuck.record.offset} to ${dlq}, then skip it`,
        cost: `the group never handles offset ${stuck.record.offset}${passedNote}; a byte-for-byte copy with its origin in headers stays in ${dlq} for the service owners; ${others}`,
        risk: 'a record that was fine and the service wrong is not handled until someone replays the copy',
        recommended: true,
      },
      skip: {
        label: `Skip offset ${stuck.record.offset} on ${tpKey(target)}`,
        cost: `the group never handles offset ${stuck.record.offset}${passedNote}; ${others}`,
        risk: 'no copy: the record stays only in the log until retention deletes it',
      },
      'no-skip': {
        label: 'Skip nothing: the fix is in the service',
        cost: `${tpKey(target)} stays stuck: ${formatCount(look.logEnd - look.committed)} records wait and more arrive; ${evidenceSays(look)}`,
        risk: 'the crash loop goes on until a fixed service is deployed; a classic group keeps rebalancing meanwhile',
      },
      'skip-n': {
        label: `Skip N records from offset ${stuck.record.offset} on (count=)`,
        cost: `N records never handled, listed before you confirm (${formatCount(after + 1)} read from the stuck one on)`,
        risk: 'records that were fine are lost to the group; use it only when the error log names several bad records in a row',
      },
    }
  },
  because: () =>
    'it unblocks the partition at the cost of exactly the record the service cannot handle, and keeps that record where its owners can look at it or replay it',
})
