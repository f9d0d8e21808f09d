import { LineCounter, isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

/** Line and column (1-based) of a node in a YAML file; 0/0 when the path is not there. */
export interface YamlPosition {
  line: number;
  column: number;
}

/**
 * Locates keys and values in YAML text by JSON path (['classes', 'consent'],
 * ['cases', 3, 'field']): `key` points at a map key (where a name is defined), `value` at
 * the value or sequence item. Used to point problems at the line a privacy officer edits.
 */
export function yamlLocator(text: string): { key(path: ReadonlyArray<string | number>): YamlPosition; value(path: ReadonlyArray<string | number>): YamlPosition } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (node: YamlNode | null | undefined): YamlPosition => {
    if (!node?.range) return { line: 0, column: 0 };
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  };
  const walk = (path: ReadonlyArray<string | number>, wantKey: boolean): YamlPosition => {
    let node: unknown = doc.contents;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
        if (!pair) return position(node as YamlNode);
        if (last && wantKey) return position(pair.key as YamlNode);
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!item) return position(node as YamlNode);
        node = item;
      } else {
        break;
      }
    }
    return position(node as YamlNode);
  };
  return { key: (path) => walk(path, true), value: (path) => walk(path, false) };
}
