/**
 * The inspector's dialogs, a part of its script (see ui-script.ts, which it is pasted into): one
 * request of the journal opened (headers, body, answer), and an attach session's transcript.
 * Uses the script's helpers (h, size, duration, clockText, control, say, idPath).
 */
export const detailsScript = String.raw`
  // ---- one request, or a transcript, opened -------------------------------------------------
  /** A body as the journal keeps it: its text (JSON indented), or its size and digest, or its files. */
  function bodyBlock(body) {
    if (!body) return h('p', { class: 'empty' }, 'none');
    const about = size(body.size) + (body.contentType ? ', ' + body.contentType : '') + (body.truncated ? ', the start of it' : '');
    let shown;
    if (body.files) shown = h('ul', { class: 'uploads' }, body.files.map((f) => h('li', {}, h('span', { class: 'label' }, f.name), ' ' + size(f.size) + ' sha256 ', h('code', { class: 'hash' }, f.sha256))));
    else if (body.text !== undefined) shown = h('pre', {}, body.json !== undefined ? JSON.stringify(body.json, null, 2) : body.text);
    else shown = h('p', {}, 'binary, sha256 ', h('code', { class: 'hash' }, body.sha256 || '?'));
    return [h('p', { class: 'sub' }, about), shown];
  }
  const entryDialog = $('entry-dialog');
  /** Shows a title and its parts in the dialog. */
  function showDialog(title, parts) {
    $('entry-title').textContent = title;
    $('entry-body').replaceChildren(...parts.flat());
    if (!entryDialog.open) entryDialog.showModal();
  }
  async function openEntry(id, what) {
    try {
      const entry = await control('GET', 'journal/' + id);
      showDialog(what + ' → ' + entry.status, [
        h('p', { class: 'sub' }, entry.time + ' · ' + duration(entry.durationMs)),
        h('h3', {}, 'Request headers'),
        h('dl', {}, Object.entries(entry.headers).map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
        h('h3', {}, 'Request body'),
        h('div', {}, bodyBlock(entry.body)),
        h('h3', {}, 'Answer ' + entry.status),
        h('div', {}, bodyBlock(entry.response)),
      ]);
    } catch (err) {
      say('Could not open ' + what + ': ' + err.message, true);
    }
  }

  async function openTranscript(id, label) {
    try {
      const { transcript } = await control('GET', 'scalingo/containers/' + idPath(id) + '/transcript');
      const runs = transcript.map((run) => [
        h('h3', {}, (run.direction === 'in' ? 'from the client ' : 'to the client ') + clockText(run.at) + ' · ' + size(run.size)),
        h('pre', { class: 'run-' + run.direction }, run.text !== undefined ? run.text : 'base64 ' + run.base64),
      ]);
      showDialog('Transcript of ' + label, runs.length ? runs : [h('p', { class: 'empty' }, 'Nothing went either way yet.')]);
    } catch (err) {
      say('Could not open the transcript of ' + label + ': ' + err.message, true);
    }
  }
`;
