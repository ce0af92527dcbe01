const READS = [
  /\bos\.environ\[\s*(['"])([^'"\\\s]+)\1\s*\]/g,
  /\bos\.(?:environ\.get|getenv)\(\s*(['"])([^'"\\\s]+)\1/g,
  // python-decouple `config(...)`, django-environ `env(...)` / `env.bool(...)`.
  /\b(?:config|env)(?:\.\w+)?\(\s*(['"])([^'"\\\s]+)\1/g,
];

/** Names of the environment variables that inserted code reads, in order of appearance. */
export function environmentVariablesRead(texts: readonly string[]): string[] {
  const found: { name: string; at: number; text: number }[] = [];
  texts.forEach((text, index) => {
    for (const pattern of READS) {
      for (const match of text.matchAll(pattern)) found.push({ name: match[2], at: match.index ?? 0, text: index });
    }
  });
  found.sort((a, b) => a.text - b.text || a.at - b.at);
  return [...new Set(found.map((f) => f.name))];
}
