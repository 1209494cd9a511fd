/** A clinical note (DocumentReference with a text attachment, Composition, ClinicalImpression, Communication) as readable text. */
import { attachmentText, conceptText, dateText, type Json, list, referenceText } from './fhirText.ts';

function noteText(resource: Json): string | undefined {
  if (resource.resourceType === 'DocumentReference') {
    const texts = list(resource.content)
      .map((content) => attachmentText(content.attachment))
      .filter((text): text is string => Boolean(text));
    return texts.join('\n\n') || undefined;
  }
  if (resource.resourceType === 'Composition') {
    return list(resource.section)
      .map((section) => `${section.title ?? ''}\n${stripHtml(section.text)}`.trim())
      .join('\n\n');
  }
  if (resource.resourceType === 'ClinicalImpression') {
    return [resource.summary, ...list(resource.note).map((note) => note.text)]
      .filter((t) => typeof t === 'string')
      .join('\n\n');
  }
  if (resource.resourceType === 'Communication') {
    return list(resource.payload)
      .map((payload) =>
        typeof payload.contentString === 'string'
          ? payload.contentString
          : attachmentText(payload.contentAttachment),
      )
      .filter(Boolean)
      .join('\n\n');
  }
  return undefined;
}

function stripHtml(narrative: unknown): string {
  const div = narrative && typeof narrative === 'object' ? (narrative as Json).div : undefined;
  return typeof div === 'string'
    ? div
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

export function ClinicalNote(props: { resource: Json }) {
  const { resource } = props;
  const title =
    conceptText(resource.type) ??
    (typeof resource.title === 'string' ? resource.title : undefined) ??
    'Clinical note';
  const authors = list(resource.author).map(referenceText).filter(Boolean).join(', ');
  const when = dateText(resource.date) ?? dateText(resource.sent);
  const text = noteText(resource);
  return (
    <article className="note">
      <p className="record-subtitle">{title}</p>
      {typeof resource.description === 'string' && <p className="muted">{resource.description}</p>}
      {text ? (
        <div className="note-text">{text}</div>
      ) : (
        <p className="muted">This note has no readable text.</p>
      )}
      <p className="muted">{[authors && `By ${authors}`, when].filter(Boolean).join(' · ')}</p>
    </article>
  );
}
