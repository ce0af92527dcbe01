/**
 * Builds engine objects from in-memory files, so engine tests need no disk.
 */
import path from 'node:path';
import { DEFAULT_CONFIG, type HardenerConfig } from '../../server/src/engine/config';
import { initPythonParser } from '../../server/src/engine/parse/python';
import { makeSource } from '../../server/src/engine/project/disk-store';
import { Project } from '../../server/src/engine/project/project';
import type { EvaluatedModule } from '../../server/src/engine/settings/settings-module';
import type { SourceFile, SourceStore } from '../../server/src/engine/project/source-store';
import type { Value } from '../../server/src/engine/settings/values';

/** The root every in-memory project lives under. */
export const ROOT = path.resolve('/memory/project');

/** A SourceStore over a map of absolute paths to texts. */
export class MemoryStore implements SourceStore {
  private readonly sources = new Map<string, SourceFile>();

  constructor(readonly texts: Map<string, string>) {}

  get(file: string): SourceFile | undefined {
    const text = this.texts.get(file);
    if (text === undefined) return undefined;
    let source = this.sources.get(file);
    if (!source || source.text !== text) {
      source = makeSource(file, text);
      this.sources.set(file, source);
    }
    return source;
  }

  exists(file: string): boolean {
    return this.texts.has(file);
  }
}

/** Absolute path of a project-relative file. */
export function at(relative: string): string {
  return path.join(ROOT, ...relative.split('/'));
}

/** A Project over `{ 'proj/settings.py': '...' }`, relative to ROOT. */
export async function memoryProject(files: Record<string, string>, config: Partial<HardenerConfig> = {}): Promise<Project> {
  await initPythonParser();
  const texts = new Map(Object.entries(files).map(([rel, text]) => [at(rel), text]));
  return new Project(ROOT, [...texts.keys()].sort(), new MemoryStore(texts), { ...DEFAULT_CONFIG, ...config });
}

/** Evaluates one module of an in-memory project. */
export async function evaluateIn(files: Record<string, string>, relative: string): Promise<EvaluatedModule> {
  const project = await memoryProject(files);
  const evaluated = project.evaluate(at(relative));
  if (!evaluated) throw new Error(`${relative} could not be evaluated`);
  return evaluated;
}

/** Evaluates a lone module (no star imports resolve). */
export async function evaluateModule(text: string): Promise<EvaluatedModule> {
  return evaluateIn({ 'settings.py': text }, 'settings.py');
}

/** Drops every `loc`/`defaultLoc`, so values compare by meaning. */
export function plain(value: Value | undefined): unknown {
  if (value === undefined) return undefined;
  switch (value.kind) {
    case 'list':
      return { kind: 'list', tuple: value.tuple, items: value.items.map(plain), ...(value.open ? { open: true } : {}) };
    case 'dict':
      return { kind: 'dict', entries: value.entries.map((e) => ({ key: plain(e.key), value: plain(e.value) })), ...(value.open ? { open: true } : {}) };
    case 'env':
      return { kind: 'env', variable: value.variable, reader: value.reader, whenUnset: plain(value.whenUnset) };
    case 'none':
    case 'unknown':
      return { kind: value.kind };
    default:
      return { kind: value.kind, value: value.value };
  }
}

/**
 * The value `expression` has after `prelude` ran as a settings module (so imports and
 * assignments bind names), read through the module evaluator.
 */
export async function valueOf(expression: string, prelude = ''): Promise<Value> {
  const module = await evaluateModule(`${prelude}\n__value__ = ${expression}\n`);
  const state = module.settings.get('__value__');
  if (!state) throw new Error(`__value__ was not assigned: ${expression}`);
  return state.value;
}

export const known = {
  str: (value: string) => ({ kind: 'string', value }),
  bool: (value: boolean) => ({ kind: 'bool', value }),
  num: (value: number) => ({ kind: 'number', value }),
  none: { kind: 'none' },
  unknown: { kind: 'unknown' },
  list: (...items: unknown[]) => ({ kind: 'list', tuple: false, items }),
  tuple: (...items: unknown[]) => ({ kind: 'list', tuple: true, items }),
  /** A list that holds at least these items. */
  openList: (...items: unknown[]) => ({ kind: 'list', tuple: false, items, open: true }),
  env: (variable: string, reader: string, whenUnset: unknown) => ({ kind: 'env', variable, reader, whenUnset }),
};
