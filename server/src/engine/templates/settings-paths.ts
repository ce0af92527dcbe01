import path from 'node:path';
import { stringLiteralValue, type Node } from '../parse/python';
import type { Project } from '../project/project';
import type { Location } from '../types';

const MAX_DEPTH = 12;

/**
 * The directory a settings expression such as `BASE_DIR / 'templates'` or
 * `os.path.join(BASE_DIR, 'templates')` names, read statically: `__file__` is the module's
 * own path, and names such as BASE_DIR are followed to their definition, in whichever
 * module (star-imported or imported) made it. Undefined when the expression is anything
 * else.
 */
export function resolvePathExpression(project: Project, loc: Location): string | undefined {
  const resolved = evaluateAt(project, loc, 0);
  if (resolved === undefined) return undefined;
  return path.normalize(path.isAbsolute(resolved) ? resolved : path.resolve(project.root, resolved));
}

function nodeAt(project: Project, loc: Location): Node | undefined {
  const source = project.store.get(loc.file);
  if (!source) return undefined;
  const { start, end } = loc.range;
  let node = source.syntax().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  // The smallest node spanning the range may be a child of the one that starts and ends there.
  while (node?.parent && node.parent.startIndex === node.startIndex && node.parent.endIndex === node.endIndex) node = node.parent;
  return node ?? undefined;
}

function evaluateAt(project: Project, loc: Location, depth: number): string | undefined {
  const node = nodeAt(project, loc);
  return node ? evaluate(project, loc.file, node, depth) : undefined;
}

function args(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
}

function evaluate(project: Project, file: string, node: Node, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const next = (n: Node | null | undefined) => (n ? evaluate(project, file, n, depth + 1) : undefined);
  const joinAll = (nodes: Node[]) => {
    const parts = nodes.map(next);
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    // As in os.path.join and pathlib, an absolute part starts over.
    return path.join(...(parts as string[]).reduce<string[]>((acc, p) => (path.isAbsolute(p) ? [p] : [...acc, p]), []));
  };
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return stringLiteralValue(node);
    case 'parenthesized_expression':
      return next(node.namedChildren.find((c) => c?.type !== 'comment'));
    case 'identifier': {
      if (node.text === '__file__') return file;
      const state = project.evaluate(file)?.settings.get(node.text);
      const loc = state?.definition.kind === 'assign' ? state.definition.valueLoc : undefined;
      return loc ? evaluateAt(project, loc, depth + 1) : undefined;
    }
    case 'attribute': {
      const attribute = node.childForFieldName('attribute')?.text;
      const object = next(node.childForFieldName('object'));
      if (object === undefined) return undefined;
      return attribute === 'parent' ? path.dirname(object) : undefined;
    }
    case 'subscript': {
      // Path(__file__).parents[1]
      const value = node.childForFieldName('value');
      const index = node.childForFieldName('subscript');
      if (value?.type !== 'attribute' || value.childForFieldName('attribute')?.text !== 'parents' || index?.type !== 'integer') return undefined;
      let dir = next(value.childForFieldName('object'));
      if (dir === undefined) return undefined;
      for (let i = 0; i <= Number(index.text); i++) dir = path.dirname(dir);
      return dir;
    }
    case 'binary_operator': {
      const operator = node.childForFieldName('operator')?.text;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return undefined;
      if (operator === '/') return joinAll([left, right]);
      if (operator === '+') {
        // Only strings add: `BASE_DIR + '/templates'` is plain concatenation.
        const [a, b] = [next(left), next(right)];
        return a === undefined || b === undefined ? undefined : a + b;
      }
      if (operator === '-' && right.type === 'integer') {
        // django-environ: `environ.Path(__file__) - 3` goes three folders up.
        let dir = next(left);
        for (let i = 0; dir !== undefined && i < Number(right.text); i++) dir = path.dirname(dir);
        return dir;
      }
      return undefined;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      if (!callee) return undefined;
      const name = callee.text.replace(/\s+/g, '');
      const list = args(node);
      if (list.some((a) => a.type === 'keyword_argument' || a.type.endsWith('splat'))) {
        // `.resolve(strict=True)` still names the same path.
        if (!/\.resolve$/.test(name)) return undefined;
      }
      if (/^(pathlib\.|environ\.)?(Pure)?(Posix)?Path$/.test(name) || /^(os\.)?(path\.)?join$/.test(name)) return joinAll(list);
      if (/^(os\.)?(path\.)?dirname$/.test(name) && list.length === 1) {
        const inner = next(list[0]);
        return inner === undefined ? undefined : path.dirname(inner);
      }
      if (/^(os\.)?(path\.)?(abspath|realpath|normpath)$/.test(name) || name === 'str' || name === 'os.fspath') return list.length === 1 ? next(list[0]) : undefined;
      if (callee.type === 'attribute') {
        const method = callee.childForFieldName('attribute')?.text;
        const object = callee.childForFieldName('object');
        if (method === 'resolve' || method === 'absolute') return next(object);
        if (method === 'joinpath' || method === 'path') return joinAll([object!, ...list]);
      }
      // Calling a path: django-environ's `root('templates')` joins, as `root.path()` does.
      if (callee.type === 'identifier' && list.length > 0) return joinAll([callee, ...list]);
      return undefined;
    }
    default:
      return undefined;
  }
}
