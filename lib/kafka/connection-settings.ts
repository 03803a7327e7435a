// What the readers of a client.properties share: its values as Kafka sees them (trimmed), one-line refusals
// that name the file and the property, and the operator's own files behind paths the properties give.

/** A client.properties the operator must fix; the message says what and how. */
export class ConnectionConfigError extends Error {
  readonly exitCode = 2
  constructor(message: string) {
    super(message)
    this.name = 'ConnectionConfigError'
  }
}

/** The operator's files, as the settings name them; both throw Node's error when the path cannot be read. */
export interface LocalFiles {
  read(path: string): Buffer
  /** Paths of the files in a folder, or null when `path` is a file. */
  list(path: string): string[] | null
}

/** The properties of one file, read as Kafka reads them. */
export class SettingsReader {
  readonly #props: ReadonlyMap<string, string>
  /** Where the settings come from, for error lines (the file's path). */
  readonly source: string

  constructor(props: ReadonlyMap<string, string>, source: string) {
    this.#props = props
    this.source = source
  }

  /** The value, trimmed as Kafka's config parser trims it; undefined when the key is absent. */
  get(key: string): string | undefined {
    return this.#props.get(key)?.trim()
  }

  has(key: string): boolean {
    return this.#props.has(key)
  }

  keys(): string[] {
    return [...this.#props.keys()]
  }

  /** A true/false setting; anything else is refused. */
  flag(key: string): boolean | undefined {
    const value = this.get(key)
    if (value === undefined) return undefined
    if (/^true$/i.test(value)) return true
    if (/^false$/i.test(value)) return false
    return this.fail(`${key}=${value} is not true or false`)
  }

  /** Refuses the settings: "<file>: <message>". */
  fail(message: string): never {
    throw new ConnectionConfigError(`${this.source}: ${message}`)
  }
}

/** The operator's files, with failures worded as "<property>=<path> cannot be read". */
export class SettingFiles {
  readonly #files: LocalFiles
  readonly #settings: SettingsReader

  constructor(files: LocalFiles, settings: SettingsReader) {
    this.#files = files
    this.#settings = settings
  }

  read(path: string): Buffer {
    return this.#files.read(path)
  }

  readSetting(property: string, path: string): Buffer {
    try {
      return this.#files.read(path)
    } catch (error) {
      return this.#settings.fail(`${property}=${path} cannot be read (${reason(error)}) — fix the path`)
    }
  }

  listSetting(property: string, path: string): string[] | null {
    try {
      return this.#files.list(path)
    } catch (error) {
      return this.#settings.fail(`${property}=${path} cannot be read (${reason(error)}) — fix the path`)
    }
  }
}

function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]!
}
