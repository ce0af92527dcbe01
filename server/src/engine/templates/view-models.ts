import path from 'node:path';
import type { Node } from '../parse/python';
import type { ModuleAnalysis } from '../python/module-analysis';
import { callArguments, unwrap } from '../python/syntax';
import type { Project } from '../project/project';

/**
 * The models a view hands to a template, and what their fields hold: a `TextField` or
 * `CharField` holds text some user wrote (stored user data); a number, date, flag, slug or
 * key holds no markup. Models are read from the project's `models.py` modules (and
 * `models/` packages) by their field declarations, once per project.
 */

/** What a model field holds. */
export type FieldKind = 'text' | 'safe';

export interface ModelRef {
  name: string;
  fields: ReadonlyMap<string, FieldKind>;
}

// NOTE: Django's model fields: the ones whose value is text a form lets users type, and the ones that hold no markup.
// https://docs.djangoproject.com/en/stable/ref/models/fields/#field-types
const TEXT_FIELDS = new Set(['CharField', 'TextField', 'EmailField', 'URLField', 'RichTextField', 'HTMLField', 'MarkdownField', 'MarkdownxField', 'CKEditor5Field', 'RichTextUploadingField']);
const SAFE_FIELDS = new Set([
  'AutoField',
  'BigAutoField',
  'SmallAutoField',
  'IntegerField',
  'BigIntegerField',
  'SmallIntegerField',
  'PositiveIntegerField',
  'PositiveBigIntegerField',
  'PositiveSmallIntegerField',
  'FloatField',
  'DecimalField',
  'BooleanField',
  'NullBooleanField',
  'DateField',
  'DateTimeField',
  'TimeField',
  'DurationField',
  'UUIDField',
  'SlugField',
  'GenericIPAddressField',
  'IPAddressField',
]);

const CLASS_LINE = /^class\s+(\w+)\s*\(([^)]*)\)\s*:/;
const FIELD_LINE = /^\s+(\w+)\s*(?::[^=]*)?=\s*(?:[\w.]+\.)?(\w+Field)\(/;

const indexes = new WeakMap<Project, Map<string, ModelRef>>();

/** The project's models by class name; a name two apps both define is left out (it cannot be told apart). */
function modelIndex(project: Project): Map<string, ModelRef> {
  let index = indexes.get(project);
  if (index) return index;
  index = new Map();
  const ambiguous = new Set<string>();
  for (const file of project.files) {
    if (!file.endsWith('.py')) continue;
    const base = path.basename(file);
    if (base !== 'models.py' && !file.split(path.sep).includes('models')) continue;
    const text = project.store.get(file)?.text;
    if (!text || !text.includes('Field(')) continue;
    let current: { name: string; fields: Map<string, FieldKind>; indent?: string } | undefined;
    for (const line of text.split('\n')) {
      const cls = CLASS_LINE.exec(line);
      if (cls) {
        current = { name: cls[1], fields: new Map() };
        if (index.has(current.name)) ambiguous.add(current.name);
        index.set(current.name, current);
        continue;
      }
      if (!current || line.trim() === '') continue;
      const indent = /^\s*/.exec(line)![0];
      // Back at the module's level: the class body is over.
      if (indent === '') {
        if (!/^[#@)]/.test(line)) current = undefined;
        continue;
      }
      current.indent ??= indent;
      if (indent !== current.indent) continue;
      const field = FIELD_LINE.exec(line);
      if (!field) continue;
      if (TEXT_FIELDS.has(field[2])) current.fields.set(field[1], 'text');
      else if (SAFE_FIELDS.has(field[2])) current.fields.set(field[1], 'safe');
    }
  }
  for (const name of ambiguous) index.delete(name);
  indexes.set(project, index);
  return index;
}

/** How many assignments are followed back from a context value to the query that loads it. */
const MAX_FOLLOW = 4;

/**
 * The model a view's value holds, when the code loads it by name: `get_object_or_404(Post, …)`,
 * `Post.objects.get(…)`, `Post.objects.filter(…)` (a queryset: its items are Posts), or a
 * name bound to one of those.
 */
export function modelOfExpression(analysis: ModuleAnalysis, node: Node): ModelRef | undefined {
  const project = analysis.project;
  if (!project) return undefined;
  let value = unwrap(node);
  for (let hops = 0; hops < MAX_FOLLOW && value.type === 'identifier'; hops++) {
    const resolution = analysis.scopes.resolve(value);
    if (resolution.kind !== 'local' || resolution.defs.length !== 1) return undefined;
    const def = resolution.defs[0];
    if (def.kind !== 'assign' || !def.value || def.unpacked) return undefined;
    value = unwrap(def.value);
  }
  const name = modelName(value);
  return name ? modelIndex(project).get(name) : undefined;
}

function modelName(value: Node): string | undefined {
  if (value.type !== 'call') return undefined;
  const callee = unwrap(value.childForFieldName('function')!);
  if (callee.type === 'identifier' && (callee.text === 'get_object_or_404' || callee.text === 'get_list_or_404')) {
    const first = callArguments(value)[0];
    return first ? /^(\w+)/.exec(unwrap(first).text)?.[1] : undefined;
  }
  // `Post.objects.…(…)`: the model is the name before `.objects`.
  const match = /^(?:[\w.]*\.)?(\w+)\.objects\.(?:get|filter|exclude|all|select_related|prefetch_related|order_by|first|last|latest|earliest)\b/.exec(callee.text);
  return match?.[1];
}

/** What a model's attribute holds, or undefined when its declaration does not say. */
export function modelFieldKind(model: ModelRef, attribute: string): FieldKind | undefined {
  return model.fields.get(attribute);
}
