/** Quoted values and long digit runs (IINs, BINs, phone numbers) in a message are replaced. */
export function redactText(text: string): string {
  return text
    .replace(/"[^"\n]*"/g, '"…"')
    .replace(/'[^'\n]*'/g, "'…'")
    .replace(/\+?\d[\d\s()-]{8,}\d/g, '[digits]');
}

/**
 * What may be logged of an error: its type, a redacted message, the database error code and
 * constraint, and the stack (code locations). Never the SQL, its parameters, the driver error or its
 * detail (`Key (child_iin)=(…)`): they carry personal data.
 */
export function safeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { type: typeof e, message: 'non-error thrown' };
  const x = e as Error & { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } };
  const code = x.driverError?.code ?? x.code;
  const constraint = x.driverError?.constraint ?? x.constraint;
  // The stack starts with "Name: message": keep only the code locations.
  const head = `${x.name}: ${x.message}`;
  const raw = x.stack ?? '';
  const stack = raw.startsWith(head) ? raw.slice(head.length).replace(/^\n/, '') : raw.split('\n').slice(1).join('\n');
  return {
    type: x.name,
    message: redactText(x.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof constraint === 'string' ? { constraint } : {}),
    stack,
  };
}
