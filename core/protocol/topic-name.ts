// Kafka's rule for topic names (org.apache.kafka.common.internals.Topic.validate): ASCII letters,
// digits, '.', '_' and '-', at most 249 characters, and not "." or "..". The broker and the
// controller refuse other names with INVALID_TOPIC_EXCEPTION; the console checks a name before it
// asks. The messages are Kafka's own.

/** Kafka's legal topic names: [a-zA-Z0-9._-], at most 249 characters, not "." or "..". */
export function topicNameError(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249) return `Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}
