// The connection form: what the user types, checked live, and turned into the Bridge's ConnectionInput.
import type { ConnectionInput, ConnectionView, SaslMechanism } from '../../../core/console/bridge.ts';

export interface ConnectionForm {
  id: string | null;
  name: string;
  bootstrap: string;
  saslEnabled: boolean;
  mechanism: SaslMechanism;
  username: string;
  /** Empty on an existing connection: keep the known password. */
  password: string;
  rememberPassword: boolean;
  tlsEnabled: boolean;
  ca: string;
  skipVerify: boolean;
}

export function emptyForm(): ConnectionForm {
  return {
    id: null,
    name: '',
    bootstrap: '',
    saslEnabled: false,
    mechanism: 'SCRAM-SHA-256',
    username: '',
    password: '',
    rememberPassword: false,
    tlsEnabled: false,
    ca: '',
    skipVerify: false,
  };
}

export function formOf(c: ConnectionView): ConnectionForm {
  return {
    id: c.id,
    name: c.name,
    bootstrap: c.bootstrap,
    saslEnabled: c.sasl !== null,
    mechanism: c.sasl?.mechanism ?? 'SCRAM-SHA-256',
    username: c.sasl?.username ?? '',
    password: '',
    rememberPassword: c.rememberPassword,
    tlsEnabled: c.tls !== null,
    ca: c.tls?.ca ?? '',
    skipVerify: c.tls?.skipVerify ?? false,
  };
}

/** Field → problem, for what can be told before asking the cluster. */
export function formProblems(f: ConnectionForm, hasKnownPassword: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.name.trim() === '') out.name = 'Give the connection a name.';
  const servers = f.bootstrap
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) out.bootstrap = 'Enter at least one bootstrap server, HOST:PORT.';
  else {
    const bad = servers.find((s) => {
      const m = /^(.+):(\d+)$/.exec(s);
      return !m || Number(m[2]) > 65535;
    });
    if (bad) out.bootstrap = `"${bad}" is not HOST:PORT.`;
  }
  if (f.saslEnabled) {
    if (f.username.trim() === '') out.username = 'SASL needs a username.';
    if (f.password === '' && !hasKnownPassword) out.password = 'Enter the password.';
  }
  if (f.tlsEnabled && f.ca.trim() !== '' && !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(f.ca)) {
    out.ca = 'Paste the CA certificate as PEM (-----BEGIN CERTIFICATE----- …).';
  }
  return out;
}

export function toInput(f: ConnectionForm): ConnectionInput {
  const input: ConnectionInput = {
    name: f.name.trim(),
    bootstrap: f.bootstrap
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .join(','),
    sasl: f.saslEnabled
      ? { mechanism: f.mechanism, username: f.username.trim(), ...(f.password !== '' ? { password: f.password } : {}) }
      : null,
    tls: f.tlsEnabled ? { ca: f.ca.trim() === '' ? null : f.ca.trim(), skipVerify: f.skipVerify } : null,
    rememberPassword: f.saslEnabled && f.rememberPassword,
  };
  if (f.id) input.id = f.id;
  return input;
}
