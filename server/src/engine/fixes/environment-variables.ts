/** An environment variable that code inserted by fixes reads. */
export interface EnvironmentVariable {
  name: string;
  /** Read without a default (`os.environ["X"]`, `config("X")`): production must set it. */
  required: boolean;
}

const READS = [
  /\bos\.environ\[\s*(['"])([^'"\\\s]+)\1\s*\]/g,
  /\bos\.(?:environ\.get|getenv)\(\s*(['"])([^'"\\\s]+)\1/g,
  // python-decouple `config(...)`, django-environ `env(...)` / `env.bool(...)`.
  /\b(?:config|env)(?:\.\w+)?\(\s*(['"])([^'"\\\s]+)\1/g,
];

/** Whether the read at `index` has a default: another argument follows its variable name. */
function hasDefault(text: string, match: RegExpMatchArray): boolean {
  if (match[0].startsWith('os.environ[')) return false;
  if (/^os\.(environ\.get|getenv)\(/.test(match[0])) return true;
  return /^\s*,/.test(text.slice((match.index ?? 0) + match[0].length));
}

/** The environment variables that inserted code reads, in order of appearance; one that is read both ways counts as required. */
export function environmentVariablesRead(texts: readonly string[]): EnvironmentVariable[] {
  const found: { name: string; required: boolean; at: number; text: number }[] = [];
  texts.forEach((text, index) => {
    for (const pattern of READS) {
      for (const match of text.matchAll(pattern)) found.push({ name: match[2], required: !hasDefault(text, match), at: match.index ?? 0, text: index });
    }
  });
  found.sort((a, b) => a.text - b.text || a.at - b.at);
  const variables: EnvironmentVariable[] = [];
  for (const { name, required } of found) {
    const known = variables.find((v) => v.name === name);
    if (known) known.required ||= required;
    else variables.push({ name, required });
  }
  return variables;
}
