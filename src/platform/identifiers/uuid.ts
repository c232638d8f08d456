const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical text form (any version): what PostgreSQL's `uuid` accepts from a client id. */
export const isUuid = (s: string): boolean => UUID_RE.test(s);
