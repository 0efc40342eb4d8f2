// The Schema Registry's errors as Confluent's registry answers them: an HTTP status and a body
// `{"error_code": N, "message": "..."}` whose codes (40401 subject not found, 40402 version not
// found, 40403 schema not found, 409 incompatible, 42201 invalid schema, 42202 invalid version,
// 42203 invalid compatibility level, 42204 invalid mode, 42205 operation not permitted, 42206
// reference exists, 42208 invalid subject, 42209 schema too large, 500xx store errors) and
// messages follow Confluent's io.confluent.kafka.schemaregistry.rest.exceptions.Errors (7.x;
// 8.x answers 40901 for an incompatible schema, 7.x and the long-documented API 409).

export class RegistryError extends Error {
  readonly status: number;
  readonly errorCode: number;
  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
  body(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** `{magic=1,keytype=SCHEMA,subject=s,version=1}`, as Confluent names a schema key in messages. */
export function schemaKeyText(subject: string, version: number): string {
  return `{magic=1,keytype=SCHEMA,subject=${subject},version=${version}}`;
}

const notFound = (code: number, message: string) => new RegistryError(404, code, message);
const unprocessable = (code: number, message: string) => new RegistryError(422, code, message);

export const Errors = {
  subjectNotFound: (subject: string) => notFound(40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number) => notFound(40402, `Version ${version} not found.`),
  schemaNotFound: (id?: number) => notFound(40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    notFound(40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    notFound(40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    notFound(
      40406,
      `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    notFound(40407, `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`),
  subjectCompatibilityNotConfigured: (subject: string) =>
    notFound(40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (subject: string) =>
    notFound(40409, `Subject '${subject}' does not have subject-level mode configured`),
  incompatibleSchema: (subject: string, details: string[]) =>
    new RegistryError(
      409,
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join(', ')}]`,
    ),
  invalidSchema: (message: string) => unprocessable(42201, message),
  invalidVersion: (version: string) =>
    unprocessable(
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibility: () =>
    unprocessable(
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: (message = 'Invalid mode. Valid values are READWRITE, READONLY, IMPORT.') =>
    unprocessable(42204, message),
  operationNotPermitted: (message: string) => unprocessable(42205, message),
  referenceExists: (subject: string, version: number) =>
    unprocessable(42206, `One or more references exist to the schema ${schemaKeyText(subject, version)}.`),
  invalidSubject: (subject: string) => unprocessable(42208, `The specified subject '${subject}' is not a valid.`),
  schemaTooLarge: () => unprocessable(42209, 'Register operation failed because schema is too large'),
  store: (message: string) => new RegistryError(500, 50001, message),
  timeout: (message: string) => new RegistryError(500, 50002, message),
  // Jersey's and Jetty's own answers, in the registry's error body.
  httpNotFound: () => new RegistryError(404, 404, 'HTTP 404 Not Found'),
  methodNotAllowed: () => new RegistryError(405, 405, 'HTTP 405 Method Not Allowed'),
  badRequest: (message: string) => new RegistryError(400, 400, message),
  unprocessableEntity: (message: string) => new RegistryError(422, 422, message),
  bodyTooLarge: (limit: number) => new RegistryError(413, 413, `Request body is larger than ${limit} bytes`),
  internal: (message: string) => new RegistryError(500, 500, message),
};
