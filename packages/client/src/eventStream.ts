/** Server-sent events (WHATWG HTML) read from a fetch body, for `followNotifications`. */

export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body: events are separated by a blank line; `data` lines join with
 * line feeds; comments and `retry` are skipped.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = blankLine(buffer); end; end = blankLine(buffer)) {
        const block = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end.length);
        const event = parseBlock(block);
        if (event) yield event;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function blankLine(buffer: string): { index: number; length: number } | undefined {
  const match = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
  return match ? { index: match.index, length: match[0].length } : undefined;
}

function parseBlock(block: string): ServerSentEvent | undefined {
  const event: ServerSentEvent = { event: 'message', data: '' };
  const data: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
  }
  if (!data.length) return undefined;
  event.data = data.join('\n');
  return event;
}
