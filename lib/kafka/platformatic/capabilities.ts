// capabilities(): what the connected cluster can serve, from the ApiVersions answer read at connect time.

import { deriveCapabilities } from '../capabilities.ts'
import type { Capabilities } from '../types.ts'
import type { Session } from './session.ts'

/** Capabilities from the bootstrap broker's ApiVersions (ranges, finalized and supported features). */
export function readCapabilities(session: Session): Capabilities {
  const { apis, finalizedFeatures, supportedFeatures } = session.apiVersions
  return deriveCapabilities(apis, finalizedFeatures, new Set(supportedFeatures.keys()))
}
