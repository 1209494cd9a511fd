/** Small pieces of English shared by every message the CLI, the gateway and the web app write. */

/** `word` with "a" or "an" before it, by its first letter: "an insurer", "a doctor". */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
