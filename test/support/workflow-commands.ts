/**
 * How the Actions runner reads a step's output, for tests that check that no
 * line becomes a workflow command nobody meant to issue. Written after the
 * runner's own rules (actions/runner):
 * - stdout and stderr are read line by line with .NET's ReadLine, which ends a
 *   line at LF, CR or CRLF (src/Runner.Sdk/ProcessInvoker.cs);
 * - each line is tried as `::name props::data` after trimming leading white
 *   space (ActionCommand.TryParseV2), then as `##[name props]data` found
 *   anywhere in the line (ActionCommand.TryParse), for registered commands only
 *   (src/Runner.Worker/ActionCommandManager.cs and its extensions).
 */

/** Every command the runner registers, including the deprecated ones it still parses to refuse. */
export const RUNNER_COMMANDS = [
  "add-mask",
  "stop-commands",
  "error",
  "warning",
  "notice",
  "debug",
  "group",
  "endgroup",
  "echo",
  "set-output",
  "save-state",
  "set-env",
  "add-path",
  "add-matcher",
  "remove-matcher",
] as const;

export interface ParsedCommand {
  command: string;
  /** The raw line it was found on. */
  line: string;
  /** Which of the runner's two parsers matched. */
  syntax: "::" | "##[";
}

/** The lines the runner sees in `output`. */
export function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/);
}

const registered = new Set<string>(RUNNER_COMMANDS);

/** The command the runner would take `line` for, or undefined. */
export function parseCommand(line: string): ParsedCommand | undefined {
  // .NET String.TrimStart() trims Unicode white space; \s covers it (and more, which only errs on the safe side).
  const trimmed = line.replace(/^\s+/u, "");
  if (trimmed.startsWith("::")) {
    const end = trimmed.indexOf("::", 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const name = info.split(" ")[0] ?? "";
      if (registered.has(name.toLowerCase())) return { command: name.toLowerCase(), line, syntax: "::" };
    }
  }
  const prefix = line.indexOf("##[");
  if (prefix >= 0) {
    const close = line.indexOf("]", prefix);
    if (close >= 0) {
      const name = line.slice(prefix + 3, close).split(" ")[0] ?? "";
      if (registered.has(name.toLowerCase())) return { command: name.toLowerCase(), line, syntax: "##[" };
    }
  }
  return undefined;
}

/** Every command the runner would find in a step's output. */
export function commandsIn(output: string): ParsedCommand[] {
  return runnerLines(output).flatMap((line) => {
    const parsed = parseCommand(line);
    return parsed ? [parsed] : [];
  });
}
