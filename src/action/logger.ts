/**
 * The engine's Logger backed by the Actions log: phases become collapsible
 * groups. The Actions log has no nested groups, so a phase inside a phase is
 * a plain heading line instead.
 */
import type { Logger } from "../log.js";
import type { ActionCore } from "./entry.js";

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
