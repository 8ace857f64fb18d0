/** One Server-Sent Event, its fields as sent (comments dropped). */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
  retry?: number;
}

/** Opens an event stream; next() resolves with each event in turn, close() hangs up. */
export async function openEvents(url: string): Promise<{ res: Response; next(): Promise<SseEvent>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(value);
          else if (field === 'event') event.event = value;
          else if (field === 'id') event.id = value;
          else if (field === 'retry') event.retry = Number(value);
        }
        if (data.length === 0) continue;
        event.data = data.join('\n');
        return event;
      }
      const { done, value } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
    }
  };
  return { res, next, close: () => abort.abort() };
}
