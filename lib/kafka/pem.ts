// PEM blocks read the way Kafka's own PEM reader reads them: whitespace anywhere inside the base64 (a value
// continued over several properties lines loses its line breaks), text around the blocks ignored. What we
// hand on is re-wrapped PEM that OpenSSL takes.

/** One -----BEGIN <label>----- … -----END <label>----- block. */
export interface PemBlock {
  readonly label: string
  /** The block as clean PEM text (64-character lines), or as written when it has RFC 1421 headers (Proc-Type, DEK-Info). */
  readonly pem: string
  readonly der: Buffer
}

const blockPattern = /-----BEGIN ([A-Z0-9 ]+?)-----([\s\S]*?)-----END \1-----/g

/** Every PEM block in `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = []
  for (const match of text.matchAll(blockPattern)) {
    const label = match[1]!
    const body = match[2]!
    // An old-style encrypted key carries "Name: value" header lines; its line breaks matter, so keep it whole.
    if (/^\s*[A-Za-z-]+:/.test(body)) {
      blocks.push({ label, pem: `${match[0]}\n`, der: Buffer.alloc(0) })
      continue
    }
    const base64 = body.replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) continue
    const der = Buffer.from(base64, 'base64')
    blocks.push({ label, pem: toPem(label, der), der })
  }
  return blocks
}

/** DER bytes as PEM text with 64-character lines. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** True when the text looks like PEM rather than a binary store. */
export function looksLikePem(bytes: Buffer): boolean {
  return bytes.subarray(0, 4096).toString('latin1').includes('-----BEGIN ')
}

export const isCertificate = (block: PemBlock) => block.label === 'CERTIFICATE' || block.label === 'X509 CERTIFICATE'
export const isPrivateKey = (block: PemBlock) => /PRIVATE KEY$/.test(block.label)
