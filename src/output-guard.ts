/**
 * The last line of defence for the Actions log: every byte the process writes
 * to stdout or stderr is read by the runner as lines that may be workflow
 * commands (both streams; actions/runner src/Runner.Worker/Handlers/OutputManager.cs).
 * The action's own output is already made safe by safeCore; this guard also
 * covers what does not pass through it (a library printing a warning, an
 * uncaught error): each line that is not a command the action issues itself
 * goes through withoutWorkflowCommands. The action's own commands (annotations,
 * groups, debug lines, made by @actions/core with their data escaped) are
 * written inside `command()`, which lets them through as they are.
 */
import { StringDecoder } from "node:string_decoder";
import { withoutWorkflowCommands } from "./model/safe-text.js";

export interface OutputGuard {
  /** Runs `issue`, whose writes are workflow commands of our own, made by @actions/core. */
  command<T>(issue: () => T): T;
}

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

/**
 * Guards `streams` (process.stdout and process.stderr) for the rest of the
 * process. An uncaught error is printed through the guard too: Node would
 * otherwise write its message straight to file descriptor 2, past any stream.
 */
export function guardOutput(streams: NodeJS.WriteStream[]): OutputGuard {
  let trusted = 0;
  const guards = streams.map((stream) => guardStream(stream, () => trusted > 0));
  const flush = () => {
    for (const g of guards) g.flush();
  };
  process.once("exit", flush);
  // Also receives unhandled promise rejections (Node's default turns them into uncaught exceptions).
  process.on("uncaughtException", (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    flush();
    process.exit(1);
  });
  return {
    command<T>(issue: () => T): T {
      flush();
      trusted++;
      try {
        return issue();
      } finally {
        trusted--;
      }
    },
  };
}

function guardStream(stream: NodeJS.WriteStream, isTrusted: () => boolean): { flush(): void } {
  const original = stream.write.bind(stream) as Write;
  const decoder = new StringDecoder("utf8");
  // A line is judged whole: its start decides whether it is a command.
  let pending = "";
  const write: Write = (chunk, encoding, callback) => {
    const done = typeof encoding === "function" ? encoding : callback;
    if (isTrusted()) return original(chunk, encoding, callback);
    const text =
      typeof chunk === "string"
        ? chunk
        : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    pending += text;
    const end = Math.max(pending.lastIndexOf("\n"), pending.lastIndexOf("\r"));
    if (end < 0) {
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }
    const lines = pending.slice(0, end + 1);
    pending = pending.slice(end + 1);
    return original(withoutWorkflowCommands(lines), "utf8", done);
  };
  stream.write = write as typeof stream.write;
  return {
    flush() {
      if (pending === "") return;
      const rest = pending;
      pending = "";
      original(withoutWorkflowCommands(rest), "utf8");
    },
  };
}
