/**
 * KATO (Классификатор административно-территориальных объектов) codes: exactly 9 ASCII digits,
 * e.g. '751110000' (Almaty).
 */
export function isKato(code: string): boolean {
  return /^\d{9}$/.test(code);
}
