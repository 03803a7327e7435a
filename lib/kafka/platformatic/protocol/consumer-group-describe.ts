// ConsumerGroupDescribe (key 69, KIP-848 groups) v0/v1. The client's own v0 parser reads the subscribed topic
// names as one string instead of an array, which misreads every member that subscribes to a topic.

import { createAPI, Writer, type Reader } from '../client.ts'
import { readTaggedFields } from './tagged-fields.ts'

export interface ConsumerGroupMember {
  memberId: string
  instanceId: string | null
  clientId: string
  clientHost: string
  assignment: { topic: string; partitions: number[] }[]
}

export interface ConsumerGroupDescription {
  errorCode: number
  errorMessage: string | null
  groupId: string
  groupState: string
  groupEpoch: number
  assignorName: string
  members: ConsumerGroupMember[]
}

/*
  ConsumerGroupDescribe Request (Version: 0, 1) => [group_ids] include_authorized_operations TAG_BUFFER
  ConsumerGroupDescribe Response (Version: 0, 1) => throttle_time_ms [groups] TAG_BUFFER
    groups => error_code error_message group_id group_state group_epoch assignment_epoch assignor_name [members] authorized_operations TAG_BUFFER
      members => member_id instance_id rack_id member_epoch client_id client_host [subscribed_topic_names] subscribed_topic_regex
                 assignment target_assignment member_type (v1+) TAG_BUFFER
        assignment, target_assignment => [topic_partitions => topic_id topic_name [partitions] TAG_BUFFER] TAG_BUFFER
*/
function createRequest(groupIds: string[], includeAuthorizedOperations: boolean): Writer {
  return Writer.create()
    .appendArray(groupIds, (w, id) => w.appendString(id), true, false)
    .appendBoolean(includeAuthorizedOperations)
    .appendTaggedFields()
}

function readAssignment(r: Reader): { topic: string; partitions: number[] }[] {
  const topics = r.readArray(
    (t) => {
      t.readUUID()
      const topic = t.readString()
      const partitions = t.readArray((p) => p.readInt32(), true, false)
      readTaggedFields(t)
      return { topic, partitions }
    },
    true,
    false,
  )
  readTaggedFields(r)
  return topics
}

function parserFor(version: 0 | 1) {
  return (_correlationId: number, _apiKey: number, _apiVersion: number, reader: Reader): ConsumerGroupDescription[] => {
    reader.readInt32()
    const groups = reader.readArray(
      (g) => {
        const errorCode = g.readInt16()
        const errorMessage = g.readNullableString()
        const groupId = g.readString()
        const groupState = g.readString()
        const groupEpoch = g.readInt32()
        g.readInt32()
        const assignorName = g.readString()
        const members = g.readArray(
          (m) => {
            const memberId = m.readString()
            const instanceId = m.readNullableString()
            m.readNullableString()
            m.readInt32()
            const clientId = m.readString()
            const clientHost = m.readString()
            m.readArray((s) => s.readString(), true, false)
            m.readNullableString()
            const assignment = readAssignment(m)
            readAssignment(m)
            if (version >= 1) m.readInt8()
            readTaggedFields(m)
            return { memberId, instanceId, clientId, clientHost, assignment }
          },
          true,
          false,
        )
        g.readInt32()
        readTaggedFields(g)
        return { errorCode, errorMessage, groupId, groupState, groupEpoch, assignorName, members }
      },
      true,
      false,
    )
    readTaggedFields(reader)
    return groups
  }
}

/** ConsumerGroupDescribe by version. Per-group errors are returned, never thrown. */
export const consumerGroupDescribeApis = {
  1: createAPI<[groupIds: string[], includeAuthorizedOperations: boolean], ConsumerGroupDescription[]>(69, 1, createRequest, parserFor(1)),
  0: createAPI<[groupIds: string[], includeAuthorizedOperations: boolean], ConsumerGroupDescription[]>(69, 0, createRequest, parserFor(0)),
} as const
