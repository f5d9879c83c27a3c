/**
 * A process with its output guarded as the action's is (src/output-guard.ts),
 * writing hostile text every way a Node process can, for
 * test/action/output-guard.test.ts:
 *
 *   node --import tsx guarded-output-child.ts
 */
import { guardOutput } from "../../src/output-guard.js";

const guard = guardOutput([process.stdout, process.stderr]);
console.log("a console line\n::add-mask::INJECTED-console");
process.stdout.write("::stop-com");
process.stdout.write("mands::INJECTED-split\n");
process.stderr.write("warning from a library\r::error title=Forged::INJECTED-stderr\n");
// A two-byte character split across two writes, then a command on the next line.
const bytes = Buffer.from("é\n::add-mask::INJECTED-bytes\n");
process.stdout.write(bytes.subarray(0, 1));
process.stdout.write(bytes.subarray(1));
process.stdout.write("text with ##[add-mask]INJECTED-legacy inside\n");
guard.command(() => process.stdout.write("::group::Our own group\n"));
guard.command(() => process.stdout.write("::endgroup::\n"));
process.stdout.write("a last line without a newline ::add-mask::INJECTED-tail");
setTimeout(() => {
  throw new Error("uncaught\n::add-mask::INJECTED-uncaught");
}, 0);
