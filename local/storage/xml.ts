/**
 * Just enough XML reading for the small configuration documents S3
 * clients send (versioning, lifecycle, object lock, retention). They hold
 * no attributes we need and no mixed content.
 */

/** The text of the first `<tag>…</tag>` in `xml`, unescaped. */
export function firstTag(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(
    xml,
  );
  if (!match) {
    return undefined;
  }

  return unescapeXml((match[1] ?? '').trim());
}

/** The inner XML of every `<tag>…</tag>` in `xml`, in order. */
export function allTags(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');

  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** Reverses the five XML escapes. */
export function unescapeXml(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

/** An XML document with the S3 namespace on its root element. */
export function s3Document(root: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `${inner}</${root}>`
  );
}
