/** Small pieces of English shared by every message the CLI, the gateway and the web app write. */

/** `word` with "a" or "an" before it, by its first letter: "an insurer", "a doctor". */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** One requirement of a co-signature policy, as the API describes it. */
export interface CoSignatureRequirementWords {
  role: string;
  count: number;
  sameOrganisation: boolean;
}

/**
 * A co-signature policy in words: "2 doctors of the author’s organisation and the patient", or
 * "no co-signature" for an empty one.
 */
export function coSignatureRuleText(policy: {
  requirements: readonly CoSignatureRequirementWords[];
  patient: boolean;
}): string {
  const parts = [
    ...policy.requirements.map(
      (r) =>
        `${r.count} ${r.count === 1 ? r.role : `${r.role}s`}${r.sameOrganisation ? ' of the author’s organisation' : ''}`,
    ),
    ...(policy.patient ? ['the patient'] : []),
  ];
  if (parts.length === 0) return 'no co-signature';
  return parts.length === 1 ? (parts[0] as string) : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** A vote's count: "1 of 2 needed". */
export function votesText(vote: { approvals: number; needed: number }): string {
  return `${vote.approvals} of ${vote.needed} needed`;
}
