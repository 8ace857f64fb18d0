/**
 * The inspector's rows for one-offs and Spark jobs, a part of its script (see ui-script.ts, which it
 * is pasted into), with their Advance and Fail buttons. Uses the script's helpers (h, cell, badge,
 * steps, size, time, duration, shorten, act, control, askFailure, idPath, ended, openTranscript).
 */
export const rowsScript = String.raw`
  // ---- Scalingo -----------------------------------------------------------------------------
  function containerRow(c) {
    const who = 'the operation of ' + c.label;
    const advance = h('button', { type: 'button', 'aria-label': 'Advance ' + who }, 'Advance');
    const fail = h('button', { type: 'button', 'aria-label': 'Fail ' + who + '…' }, 'Fail…');
    advance.addEventListener('click', () =>
      act('Advance ' + who, async () => (await control('POST', 'scalingo/operations/' + idPath(c.operation.id) + '/advance', {})).status),
    );
    fail.addEventListener('click', () =>
      askFailure('Fail ' + who, (message) =>
        act('Fail ' + who, async () => (await control('POST', 'scalingo/operations/' + idPath(c.operation.id) + '/fail', { message })).status),
      ),
    );
    const row = h('tr', {}, h('th', { scope: 'row' }), h('td'), h('td'), h('td'), h('td', { class: 'num' }), h('td', { class: 'actions' }, advance, ' ', fail));
    row.buttons = [advance, fail];
    return row;
  }
  function updateContainer(row, c) {
    const [name, command, operation, attach, exit] = row.cells;
    cell(name, [c.label, c.app, c.size, c.state, c.detached], () => [
      h('span', { class: 'label' }, c.label),
      h('span', { class: 'sub' }, c.app + ' · ' + c.size + ' · ' + (c.detached ? 'detached job' : 'one-off') + ' · ' + c.state),
    ]);
    cell(command, c.command, () => h('code', {}, shorten(c.command, 200)));
    cell(operation, c.operation, (op) => [badge(op.status), steps(op.history), op.error ? h('p', { class: 'err' }, op.error) : null]);
    cell(attach, c.attach, (a) => {
      if (!a) return h('span', { class: 'sub' }, 'none (detached)');
      return [
        h('p', {}, badge(a.phase), a.timed_out ? ' timed out' : '', ' in ' + size(a.bytes_in) + ', out ' + size(a.bytes_out),
          a.bytes_in + a.bytes_out > 0 ? [' ', h('button', { type: 'button', class: 'open', 'aria-label': 'Transcript of ' + c.label, onclick: () => openTranscript(c.id, c.label) }, 'transcript')] : null),
        a.resizes.length ? h('p', { class: 'sub' }, 'resizes: ' + a.resizes.map((r) => r.width + '×' + r.height).join(', ')) : null,
        a.uploads.length
          ? h('ul', { class: 'uploads', 'aria-label': 'uploads' },
              a.uploads.map((u) => h('li', {}, h('span', { class: 'label' }, u.name), ' ' + size(u.size) + ' ', h('span', { class: 'sub' }, 'sha256 '), h('code', { class: 'hash' }, u.sha256))))
          : null,
      ];
    });
    cell(exit, c.exit_code, (code) => (code === null ? '—' : String(code)));
    const over = ended[c.operation.status] === true;
    for (const button of row.buttons) button.disabled = over;
  }

  // ---- Spark Jobserver ----------------------------------------------------------------------
  function jobRow(job) {
    const who = 'job ' + job.classPath + ' ' + job.jobId.slice(0, 8);
    const advance = h('button', { type: 'button', 'aria-label': 'Advance ' + who }, 'Advance');
    const fail = h('button', { type: 'button', 'aria-label': 'Fail ' + who + '…' }, 'Fail…');
    advance.addEventListener('click', () => act('Advance ' + who, async () => (await control('POST', 'spark/jobs/' + idPath(job.jobId) + '/advance', {})).status));
    fail.addEventListener('click', () =>
      askFailure('Fail ' + who, (message) => act('Fail ' + who, async () => (await control('POST', 'spark/jobs/' + idPath(job.jobId) + '/fail', { message })).status)),
    );
    const row = h('tr', {}, h('th', { scope: 'row' }), h('td'), h('td'), h('td', { class: 'num' }), h('td'), h('td', { class: 'actions' }, advance, ' ', fail));
    row.buttons = [advance, fail];
    return row;
  }
  function updateJob(row, job, now) {
    const [name, context, state, took, outcome] = row.cells;
    cell(name, [job.classPath, job.jobId, job.sync], () => [
      h('span', { class: 'label' }, job.classPath),
      h('code', { class: 'sub id' }, job.jobId),
      job.sync ? h('span', { class: 'sub' }, ' (sync)') : null,
    ]);
    cell(context, job.context, () => job.context);
    cell(state, job.history, () => [badge(job.status), steps(job.history)]);
    const ms = Date.parse(job.endTime || now) - Date.parse(job.startTime);
    cell(took, [ms, job.endTime === null], () => (job.endTime ? duration(ms) : duration(ms) + ' so far'));
    cell(outcome, [job.result, job.error, job.callback], () => {
      const shown = job.error
        ? h('p', { class: 'err' }, job.error.errorClass + ': ' + job.error.message)
        : job.result === null ? '—' : h('code', {}, shorten(JSON.stringify(job.result), 300));
      if (!job.callback) return shown;
      // Where the callback went and how it fared (0.11 callbackUrl).
      const cb = job.callback;
      const last = cb.attempts[cb.attempts.length - 1];
      const how = last && last.error ? ' · ' + last.error : last && last.status ? ' · HTTP ' + last.status : '';
      return [shown, h('p', { class: 'sub callback' }, 'callback → ' + cb.url + ': ' + cb.state + ' (' + cb.attempts.length + ' attempt' + (cb.attempts.length === 1 ? '' : 's') + how + ')')];
    });
    const over = ended[job.status] === true;
    for (const button of row.buttons) button.disabled = over;
  }

`;
