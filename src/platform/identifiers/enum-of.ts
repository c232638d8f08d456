/**
 * A closed set of names as both a list and an enum-like object: `enumOf(['A', 'B'])` is `{ A: 'A', B: 'B' }`.
 * Domain code keeps the list (`as const`) and the string-union type; services and GraphQL
 * (`registerEnumType`) use the object, so a set of names is written once.
 */
export function enumOf<const T extends string>(names: readonly T[]): { readonly [K in T]: K } {
  return Object.freeze(Object.fromEntries(names.map((n) => [n, n]))) as { readonly [K in T]: K };
}
