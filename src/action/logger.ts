/**
 * The action's output layer: the engine's Logger backed by the Actions log
 * (phases become collapsible groups; the Actions log has no nested groups, so
 * a phase inside a phase is a plain heading line instead), and safeCore, which
 * every run's ActionCore passes through.
 */
import type { Logger } from "../log.js";
import { oneSafeLine, safeLines, withoutWorkflowCommands } from "../model/safe-text.js";
import type { ActionCore, Annotation } from "./entry.js";

/**
 * `core` with every message made safe, so no call site can forget: values in
 * logs come from proxy files, Azure (tags, error messages, VM output) and
 * GitHub (comments, records), and any of them may carry a line break followed
 * by `::add-mask::`, `::stop-commands::` or `::error::`.
 * - info lines: withoutWorkflowCommands (no line of it is a workflow command).
 * - annotations, debug lines and group names are workflow commands themselves;
 *   @actions/core escapes CR, LF and % in their data and properties
 *   (toolkit packages/core/src/command.ts, escapeData/escapeProperty), so the
 *   text stays inside the command. Its controls and hidden characters are
 *   made visible here; group names and annotation properties become one line.
 * Step outputs and the job summary are files, not log lines, and stay as given.
 */
export function safeCore(core: ActionCore): ActionCore {
  const annotation = (a: Annotation | undefined): Annotation | undefined =>
    a && {
      ...a,
      ...(a.title !== undefined ? { title: oneSafeLine(a.title, 200) } : {}),
      ...(a.file !== undefined ? { file: oneSafeLine(a.file) } : {}),
    };
  return {
    info: (message) => core.info(withoutWorkflowCommands(message)),
    warning: (message) => core.warning(safeLines(message)),
    error: (message, where) => {
      const props = annotation(where);
      if (props) core.error(safeLines(message), props);
      else core.error(safeLines(message));
    },
    debug: (message) => core.debug(safeLines(message)),
    group: (name, fn) => core.group(oneSafeLine(name), fn),
    setOutput: (name, value) => core.setOutput(name, value),
    appendSummary: (markdown) => core.appendSummary(markdown),
  };
}

export function actionsLogger(core: ActionCore): Logger {
  let depth = 0;
  return {
    info: (message) => core.info(message),
    warn: (message) => core.warning(message),
    async group(name, fn) {
      if (depth > 0) {
        core.info(`▸ ${name}`);
        return fn();
      }
      depth++;
      try {
        return await core.group(name, fn);
      } finally {
        depth--;
      }
    },
  };
}
