/**
 * The progress sink the engine writes to. The action backs it with
 * @actions/core (log groups, annotations); the CLI with the terminal.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Runs `fn` inside a named, collapsible phase. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A Logger for the terminal: phases become headed blocks. */
export const consoleLogger = (stream: NodeJS.WritableStream = process.stderr): Logger => ({
  info: (m) => void stream.write(`${m}\n`),
  warn: (m) => void stream.write(`warning: ${m}\n`),
  async group(name, fn) {
    stream.write(`\n== ${name}\n`);
    const start = Date.now();
    try {
      return await fn();
    } finally {
      stream.write(`   (${Date.now() - start} ms)\n`);
    }
  },
});
