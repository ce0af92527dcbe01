import { rangeOf, type Node } from '../parse/python';
import type { RelatedLocation, Severity } from '../types';
import { traceSteps, type Provenance } from './provenance';
import { shortText } from './syntax';

/**
 * What a sink finding says about the values that reach it: its severity from the evidence
 * (untrusted: error; unknown origin: warning; all safe: no finding), the trace of an
 * untrusted value from its source to the sink, and how messages name the origin.
 */

/** The severity the evidence supports, or undefined when every value is safe. */
export function severityFrom(values: readonly Provenance[]): Severity | undefined {
  if (values.some((v) => v.trust === 'untrusted')) return 'error';
  if (values.some((v) => v.trust === 'unknown')) return 'warning';
  return undefined;
}

/** The first untrusted value, whose trace a finding shows. */
export function firstUntrusted(values: readonly Provenance[]): Provenance | undefined {
  return values.find((v) => v.trust === 'untrusted');
}

/** The trace of an untrusted value as locations, source first, ending at the sink. */
export function flowOf(file: string, value: Provenance | undefined, sink: { node: Node; message: string }): RelatedLocation[] {
  if (!value || value.trust !== 'untrusted') return [];
  const locations: RelatedLocation[] = traceSteps(value.trace).map((step) => ({ file, range: rangeOf(step.node), message: step.message }));
  locations.push({ file, range: rangeOf(sink.node), message: sink.message });
  return locations;
}

/** Who controls an untrusted value, by its source, for the first sentence of a message: "request data", "a URL argument"… */
export function originOf(value: Provenance): string {
  const source = traceSteps(value.trace)[0]?.message ?? '';
  if (/captured from the URL|arguments captured from the URL/.test(source)) return 'text from the URL';
  if (/template (?:filter|tag)/.test(source))
    return /template tag/.test(source) || /the argument of/.test(source) ? `a template ${/template tag/.test(source) ? 'tag' : 'filter'}'s argument` : "a template filter's input";
  if (/submitted in a form/.test(source)) return 'form input';
  return 'request data';
}

/** The source step of an untrusted value, as a sentence: "`request.GET["q"]` is read from the request (line 12)." */
export function sourceSentence(value: Provenance): string {
  const step = traceSteps(value.trace)[0];
  if (!step) return '';
  return `${capitalise(step.message)} (line ${step.node.startPosition.row + 1}).`;
}

/** Names of values for a message, each cut short, at most `max` of them. */
export function namesOf(nodes: readonly Node[], max = 3): string {
  const names = [...new Set(nodes.map((n) => '`' + shortText(n, 24) + '`'))];
  if (names.length <= 1) return names.join('');
  if (names.length <= max) return names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
  return `${names.slice(0, max - 1).join(', ')} and ${names.length - max + 1} more values`;
}

function capitalise(text: string): string {
  return text.length > 0 && text[0] !== '`' ? text[0].toUpperCase() + text.slice(1) : text;
}
