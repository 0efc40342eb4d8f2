// Kafka's topic-name rules, for live feedback in the create-topic form (the same rules and wording
// as the broker's check; a unit test keeps them in step).
export function topicNameError(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249) return `Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Kafka warns about names with both '.' and '_' (they collide in metric names). */
export function topicNameWarning(name: string): string | null {
  return name.includes('.') && name.includes('_')
    ? "Names with both '.' and '_' can collide in metric names; it is best to use one of them."
    : null;
}
