/** The languages of the labels (API `labels(language)`): Kazakh, Russian, English. */
export const LABEL_LANGUAGES = ['kk', 'ru', 'en'] as const;
export type LabelLanguage = (typeof LABEL_LANGUAGES)[number];

/** The text of one enum value (or category) in each label language. */
export type LabelText = Readonly<Record<LabelLanguage, string>>;

/** Labels of a closed set, one per value: `satisfies LabelSet<GroupType>` makes a missing value a compile error. */
export type LabelSet<K extends string> = Readonly<Record<K, LabelText>>;

/** A concept module's labels: GraphQL enum name → value → texts. */
export type EnumLabels = Readonly<Record<string, LabelSet<string>>>;

/** `kk`, `KK`, ` Ru ` → the label language; null for another. */
export function labelLanguage(value: string): LabelLanguage | null {
  const v = value.trim().toLowerCase();
  return (LABEL_LANGUAGES as readonly string[]).includes(v) ? (v as LabelLanguage) : null;
}
