/**
 * Structural checks of GitHub Markdown, following the CommonMark rules for
 * fenced code blocks and the GFM rules for tables: enough to prove that plan
 * text cannot close a code block, a <details> section or a table row early.
 */

export interface CodeBlock {
  info: string;
  content: string;
}

export interface MarkdownStructure {
  codeBlocks: CodeBlock[];
  /** `<details>` sections opened outside code blocks. */
  detailsCount: number;
  problems: string[];
}

export function inspectMarkdown(markdown: string): MarkdownStructure {
  const lines = markdown.split("\n");
  const codeBlocks: CodeBlock[] = [];
  const problems: string[] = [];
  let fence: { char: string; length: number; info: string; body: string[] } | undefined;
  let detailsDepth = 0;
  let detailsCount = 0;
  let tableColumns: number | undefined;

  lines.forEach((line, i) => {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) {
        codeBlocks.push({ info: fence.info, content: fence.body.join("\n") + (fence.body.length > 0 ? "\n" : "") });
        fence = undefined;
      } else {
        fence.body.push(line);
      }
      return;
    }
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
      fence = { char: open[1]![0]!, length: open[1]!.length, info: open[2]!.trim(), body: [] };
      tableColumns = undefined;
      return;
    }
    if (/^<details>/.test(line)) {
      detailsDepth++;
      detailsCount++;
    }
    if (/^<\/details>/.test(line)) {
      detailsDepth--;
      if (detailsDepth < 0) problems.push(`line ${i + 1}: </details> without <details>`);
    }
    if (line.startsWith("|")) {
      const columns = line.split(/(?<!\\)\|/).length - 2;
      if (tableColumns === undefined) tableColumns = columns;
      else if (columns !== tableColumns)
        problems.push(`line ${i + 1}: table row has ${columns} cells, header has ${tableColumns}`);
    } else {
      tableColumns = undefined;
    }
  });
  if (fence) problems.push(`code block opened with ${fence.char.repeat(fence.length)} is never closed`);
  if (detailsDepth !== 0) problems.push(`${detailsDepth} <details> left open`);
  return { codeBlocks, detailsCount, problems };
}
