import type { Node } from '../parse/python';

/**
 * Where a Python value comes from, as far as the security rules care:
 *
 * - `safe`: it cannot carry an attack: a constant, a number, a URL Django built, a value
 *   escaped or sanitised on the way, SQL the ORM compiled;
 * - `untrusted`: it comes from the request (or from whatever a template passes a filter),
 *   and the path shows how;
 * - `unknown`: anything else: a helper's parameter, a model field, an unknown call's result.
 *
 * Values are judged symbolically with respect to the parameters of the functions they are
 * computed in: a read of parameter `x` is "whatever `x` is", and the rule that asks closes
 * the value at its sink (a view's URL parameter is untrusted, a helper's is unknown) or a
 * call site substitutes the argument (a function's summary).
 */

export type Trust = 'safe' | 'unknown' | 'untrusted';

/** One step of a trace: where a value is read, assigned, passed or returned. */
export interface FlowStep {
  node: Node;
  message: string;
}

/** A trace as a linked list from the newest step back to the source, shared between values without copying. */
export interface Trace {
  step: FlowStep;
  previous?: Trace;
  length: number;
}

/** A dependence on a parameter: the parameter, and the trace from its read to here. */
export interface ParameterDependence {
  /** The parameter node of the function (its `parameters` child). */
  parameter: Node;
  name: string;
  trace?: Trace;
  /** The value is read from an attribute of the parameter's value, not the value itself. */
  member?: boolean;
}

export interface Provenance {
  trust: Trust;
  /** For `untrusted`: how the value got here from its source. */
  trace?: Trace;
  /** For `unknown`: the first expression whose origin is unknown, for messages. */
  unknown?: Node;
  /** For `unknown`: it reads a field of a model object (stored data, written by some user at some point). */
  stored?: boolean;
  /** For `untrusted`: what a template passes a filter or tag; its text is untrusted, the attributes of an object it passes are stored data. */
  templateInput?: boolean;
  /** Parameters of enclosing functions the value also depends on, not yet closed. */
  parameters?: ParameterDependence[];
  /** For `safe`: a number, or text made of digits only. */
  numeric?: boolean;
  /**
   * For `safe`: HTML that Django escaped or built with escaping, whose type is `SafeString`
   * (`escape()`, `format_html()`, `render_to_string()`…), so escaping it again changes nothing.
   */
  safeString?: boolean;
  /** For `safe`: HTML markup (escaping it would show the tags), whatever its type. */
  markup?: boolean;
  /**
   * For `safe`: a piece of code (a module, a class, a function, a manager) rather than data:
   * what its methods return is data of unknown origin, not a part of it.
   */
  code?: boolean;
  /** For `safe`: a model's metadata (`Model._meta` and what it gives: table and column names, fields). */
  schema?: boolean;
}

/** Traces longer than this keep their source and their newest steps only. */
const MAX_TRACE = 24;

export const SAFE: Provenance = Object.freeze({ trust: 'safe' }) as Provenance;
export const NUMBER: Provenance = Object.freeze({ trust: 'safe', numeric: true }) as Provenance;
export const SAFE_STRING: Provenance = Object.freeze({ trust: 'safe', safeString: true, markup: true }) as Provenance;
export const MARKUP: Provenance = Object.freeze({ trust: 'safe', markup: true }) as Provenance;
export const CODE: Provenance = Object.freeze({ trust: 'safe', code: true }) as Provenance;
export const SCHEMA: Provenance = Object.freeze({ trust: 'safe', schema: true }) as Provenance;

/**
 * A read of a parameter: whatever the argument is. Its own flags are neutral (a join with it
 * keeps the other values' flags); they mean nothing until the parameter is closed or
 * substituted, which every rule does before reading them.
 */
export function parameterRead(parameter: Node, name: string): Provenance {
  return { trust: 'safe', numeric: true, safeString: true, parameters: [{ parameter, name }] };
}

export function unknown(node: Node, stored = false): Provenance {
  return stored ? { trust: 'unknown', unknown: node, stored } : { trust: 'unknown', unknown: node };
}

export function untrusted(node: Node, message: string): Provenance {
  return { trust: 'untrusted', trace: { step: { node, message }, length: 1 } };
}

const RANK: Record<Trust, number> = { safe: 0, unknown: 1, untrusted: 2 };

/** The value of an expression that may be any of these: the worst trust, its trace, and every parameter dependence. */
export function join(values: readonly Provenance[]): Provenance {
  if (values.length === 0) return SAFE;
  if (values.length === 1) return values[0];
  let worst = values[0];
  let parameters: ParameterDependence[] | undefined;
  let numeric = true;
  let safeString = true;
  let markup = false;
  let code = true;
  let schema = true;
  let stored = false;
  for (const value of values) {
    if (RANK[value.trust] > RANK[worst.trust]) worst = value;
    if (value.parameters) parameters = mergeParameters(parameters, value.parameters);
    numeric &&= !!value.numeric;
    safeString &&= !!value.safeString;
    markup ||= !!value.markup;
    code &&= !!value.code;
    schema &&= !!value.schema;
    if (value.trust === 'unknown' && value.stored) stored = true;
  }
  const result: Provenance = { trust: worst.trust };
  if (worst.trace) result.trace = worst.trace;
  if (worst.templateInput) result.templateInput = true;
  if (worst.unknown) result.unknown = worst.unknown;
  if (stored && worst.trust === 'unknown') result.stored = true;
  if (parameters) result.parameters = parameters;
  if (worst.trust === 'safe') {
    if (numeric) result.numeric = true;
    if (safeString) result.safeString = true;
    if (markup) result.markup = true;
    if (code) result.code = true;
    if (schema) result.schema = true;
  }
  return result;
}

/**
 * The value of text built from these pieces (concatenation, formatting): as `join`, except
 * that the result is a plain `str` (not a `SafeString`) and a number only if every piece is.
 */
export function concatenation(values: readonly Provenance[]): Provenance {
  const joined = join(values);
  if (!joined.safeString) return joined;
  const { safeString: _dropped, ...rest } = joined;
  // Escaped pieces joined into a plain str: escaping it again would show their tags.
  return joined.parameters ? rest : { ...rest, markup: true };
}

function mergeParameters(into: ParameterDependence[] | undefined, more: ParameterDependence[]): ParameterDependence[] {
  if (!into) return more;
  let merged: ParameterDependence[] | undefined;
  for (const dependence of more) {
    const same = (d: ParameterDependence) => d.parameter.id === dependence.parameter.id && !!d.member === !!dependence.member;
    if (into.some(same) || merged?.some(same)) continue;
    merged ??= [...into];
    merged.push(dependence);
  }
  return merged ?? into;
}

/** Extends a trace by one step (keeping it short: the source and the newest steps). */
export function extend(trace: Trace | undefined, step: FlowStep): Trace {
  if (!trace) return { step, length: 1 };
  if (trace.length < MAX_TRACE) return { step, previous: trace, length: trace.length + 1 };
  // Drop the step right after the source: the oldest assignment matters least.
  const steps = traceSteps(trace);
  const kept = [steps[0], ...steps.slice(2)];
  let rebuilt: Trace | undefined;
  for (const s of kept) rebuilt = { step: s, previous: rebuilt, length: (rebuilt?.length ?? 0) + 1 };
  return { step, previous: rebuilt, length: rebuilt!.length + 1 };
}

/** The steps of a trace, source first. */
export function traceSteps(trace: Trace | undefined): FlowStep[] {
  const steps: FlowStep[] = [];
  for (let current = trace; current; current = current.previous) steps.push(current.step);
  return steps.reverse();
}

/** A value seen through a step (an assignment, a parameter passing, a return): the untrusted trace and the parameter traces gain it. */
export function through(value: Provenance, step: FlowStep): Provenance {
  if (value.trust !== 'untrusted' && !value.parameters) return value;
  const result: Provenance = { ...value };
  if (value.trust === 'untrusted') result.trace = extend(value.trace, step);
  if (value.parameters) result.parameters = value.parameters.map((p) => ({ ...p, trace: extend(p.trace, step) }));
  return result;
}

/** A value with its own trust forgotten: only its dependence on parameters remains (a pass-through of a parameter's value). */
export function parametersOnly(value: Provenance): Provenance {
  return value.parameters ? { trust: 'safe', parameters: value.parameters } : SAFE;
}

/** Whether the value is a number (digits only) when every piece is judged. */
export function isNumeric(value: Provenance): boolean {
  return value.trust === 'safe' && !!value.numeric && !value.parameters;
}
