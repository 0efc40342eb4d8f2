// Bootstrap servers as Kafka's clients take them (`bootstrap.servers`): a comma-separated list of
// HOST:PORT, each with a port up to 65535. The CLI turns a malformed list into a usage error, the
// console into a message next to the form field.

/** A malformed bootstrap list; its message names what is wrong. */
export class BootstrapError extends Error {}

/** "a:1,b:2" → ["a:1", "b:2"], checking each address has a port. */
export function parseBootstrap(text: string): string[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new BootstrapError('--bootstrap-server needs at least one HOST:PORT');
  for (const a of list) {
    const m = /^(.+):(\d+)$/.exec(a);
    if (!m || Number(m[2]) > 65535) throw new BootstrapError(`invalid bootstrap server "${a}" (expected HOST:PORT)`);
  }
  return list;
}
