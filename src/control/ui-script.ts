/**
 * The inspector page's script, run by the browser as it is (no build step, no library). It reads
 * the namespace's state from GET events (Server-Sent Events) and the namespace list from GET
 * namespaces, and acts through the control routes; all of them are in openapi.yaml. URLs are
 * relative to the page, so a proxy in front of jobfake (--public-url) keeps working.
 * Everything the clients sent is put in the page as text, never as HTML.
 */
import { detailsScript } from './ui-script-details.js';
import { rowsScript } from './ui-script-rows.js';

export const inspectorScript = String.raw`'use strict';
(() => {
  const page = document.body.dataset;
  const namespace = page.namespace;
  /** The server's root, relative to this page: '../' at /__jobfake/ui, '../../../' in /ns/<name>/. */
  const root = page.root;
  const $ = (id) => document.getElementById(id);
  /** The control token the page was opened with (?token=), passed on to every control call. */
  const token = new URLSearchParams(location.search).get('token');
  const withToken = (url) => (token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url);

  // ---- building blocks ----------------------------------------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child !== undefined && child !== null && child !== false) el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }
  const clockText = (iso) => (iso ? iso.slice(11, 23) : '');
  const time = (iso) => h('time', { datetime: iso, title: iso }, clockText(iso));
  function size(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1024 / 1024).toFixed(1) + ' MiB';
  }
  function duration(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(2) + ' s';
    return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  }
  const badge = (status) => h('span', { class: 'st st-' + String(status).toLowerCase() }, status);
  /** pending 10:00:00.000 → running … as a list a screen reader reads step by step. */
  const steps = (history) => h('ol', { class: 'steps' }, history.map((s) => h('li', {}, s.status + ' ', time(s.at))));
  const shorten = (text, max) => (text.length > max ? text.slice(0, max) + '…' : text);

  /** Rebuilds a cell only when what it shows changed, so focus and selection survive updates. */
  function cell(td, data, build) {
    const key = JSON.stringify(data);
    if (td.dataset.key === key) return;
    td.dataset.key = key;
    td.replaceChildren(...[build(data)].flat().filter((child) => child !== null && child !== undefined && child !== false));
  }

  /** Keeps one row per item, in order, creating, updating and removing rows in place. */
  function syncRows(tbody, items, keyOf, create, update) {
    const rows = tbody.rows_ || (tbody.rows_ = new Map());
    const keys = new Set(items.map(keyOf));
    for (const [key, row] of rows) {
      if (!keys.has(key)) {
        row.remove();
        rows.delete(key);
      }
    }
    let previous = null;
    for (const item of items) {
      const key = keyOf(item);
      let row = rows.get(key);
      if (!row) rows.set(key, (row = create(item)));
      update(row, item);
      const slot = previous ? previous.nextSibling : tbody.firstChild;
      if (slot !== row) tbody.insertBefore(row, slot);
      previous = row;
    }
    const empty = document.querySelector('.empty[data-for="' + tbody.parentElement.id + '"]');
    if (empty) empty.hidden = items.length > 0;
  }

  // ---- acting through the control API -------------------------------------------------------
  const notice = $('notice');
  function say(text, isError) {
    notice.textContent = text;
    notice.classList.toggle('error', Boolean(isError));
  }
  async function control(method, url, body) {
    const init = { method, headers: { accept: 'application/json' } };
    if (token) init.headers.authorization = 'Bearer ' + token;
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(url, init);
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error((json && json.error) || res.status + ' ' + res.statusText);
    return json;
  }
  async function act(what, run) {
    try {
      say(what + ': ' + (await run()));
    } catch (err) {
      say(what + ' failed: ' + err.message, true);
    }
  }

  const dialog = $('fail-dialog');
  let failing = null;
  /** Opens the "fail with a message" dialog; the submit runs onFail(message). */
  function askFailure(title, onFail) {
    failing = onFail;
    $('fail-title').textContent = title;
    dialog.showModal();
    $('fail-message').select();
  }
  $('fail-form').addEventListener('submit', (event) => {
    const message = $('fail-message').value.trim();
    if (!message || !failing) return;
    const run = failing;
    failing = null;
    event.preventDefault();
    dialog.close();
    run(message);
  });
  $('fail-cancel').addEventListener('click', () => dialog.close());

  const idPath = (id) => encodeURIComponent(id);
  const ended = { done: true, error: true, FINISHED: true, ERROR: true, KILLED: true };

${rowsScript}
  const plainRow = (count) => () => h('tr', {}, h('th', { scope: 'row' }), Array.from({ length: count - 1 }, () => h('td')));

  // ---- the journal --------------------------------------------------------------------------
  const filter = $('filter');
  let journalTotal = 0;
  function applyFilter() {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const rows = [...$('requests').tBodies[0].rows];
    let shown = 0;
    for (const row of rows) {
      row.hidden = !words.every((w) => row.dataset.text.includes(w));
      if (!row.hidden) shown++;
    }
    $('journal-count').textContent = words.length
      ? shown + ' of the latest ' + rows.length + ' requests match'
      : 'the latest ' + rows.length + ' of ' + journalTotal + ' requests kept';
  }
  filter.addEventListener('input', applyFilter);

${detailsScript}
  // ---- rendering a state --------------------------------------------------------------------
  function render(state) {
    $('clock').replaceChildren(time(state.clock.now), state.clock.paused ? ' (paused)' : '');
    const apps = state.scalingo.apps;
    $('apps').replaceChildren(...(apps.length ? apps.map((a, i) => [i ? ', ' : '', h('span', { class: 'label', title: a.id }, a.name)]).flat() : ['none']));

    syncRows($('containers').tBodies[0], [...state.scalingo.containers].reverse(), (c) => c.id, containerRow, updateContainer);
    const logs = state.scalingo.logs;
    const logText = logs.length ? logs.map((l) => l.app + ' ' + l.line).join('\n') : 'No log line yet.';
    if ($('logs').textContent !== logText) $('logs').textContent = logText;
    syncRows($('jobs').tBodies[0], [...state.spark.jobs].reverse(), (j) => j.jobId, jobRow, (row, job) => updateJob(row, job, state.clock.now));
    syncRows($('binaries').tBodies[0], state.spark.binaries, (b) => b.name + ' ' + b.uploadTime, plainRow(4), (row, b) => {
      const [name, type, bytes, at] = row.cells;
      cell(name, b.name, () => b.name);
      cell(type, b.type, () => b.type);
      cell(bytes, b.size, () => size(b.size));
      cell(at, b.uploadTime, () => time(b.uploadTime));
    });
    syncRows($('contexts').tBodies[0], state.spark.contexts, (c) => c.name, plainRow(4), (row, c) => {
      const [name, kind, max, at] = row.cells;
      cell(name, [c.name, c.stopping], () => [c.name, c.stopping ? h('span', { class: 'sub' }, ' (stopping)') : '']);
      cell(kind, [c.adHoc, c.python], () => (c.adHoc ? 'ad hoc' : 'shared') + (c.python ? ', Python' : ''));
      cell(max, c.maxJobs, () => String(c.maxJobs));
      cell(at, c.startTime, () => time(c.startTime));
    });

    journalTotal = state.journal.count;
    syncRows($('requests').tBodies[0], state.journal.requests, (r) => String(r.id), plainRow(5), (row, r) => {
      if (row.dataset.text) return; // a request never changes
      const [at, method, path, status, took] = row.cells;
      at.append(time(r.time));
      method.append(r.method);
      const what = r.method + ' ' + r.path + r.query;
      path.append(h('button', { type: 'button', class: 'open', 'aria-label': 'Details of ' + what, onclick: () => openEntry(r.id, what) }, h('code', {}, r.path + r.query)));
      status.append(h('span', { class: r.status >= 400 ? 'err' : '' }, String(r.status)));
      took.append(duration(r.durationMs));
      took.className = status.className = 'num';
      row.dataset.text = (r.method + ' ' + r.path + r.query + ' ' + r.status).toLowerCase();
    });
    applyFilter();
  }

  // ---- namespaces ---------------------------------------------------------------------------
  const select = $('ns-select');
  const pageOf = (name) => withToken(name === 'default' ? root + '__jobfake/ui' : root + 'ns/' + encodeURIComponent(name) + '/__jobfake/ui');
  async function listNamespaces() {
    try {
      const { namespaces } = await control('GET', 'namespaces');
      const names = [...new Set([namespace, ...namespaces])].sort();
      if (names.join('\n') === [...select.options].map((o) => o.value).join('\n')) return;
      select.replaceChildren(...names.map((n) => h('option', { value: n, selected: n === namespace }, n)));
    } catch (err) {
      say('Could not list the namespaces: ' + err.message, true);
    }
  }
  select.addEventListener('focus', listNamespaces);
  $('ns-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (select.value !== namespace) location.assign(pageOf(select.value));
  });

  $('reset').addEventListener('click', () => {
    if (!confirm('Reset the namespace "' + namespace + '" to its fixtures? Its jobs, uploads and journal go.')) return;
    act('Reset', async () => {
      await control('POST', root + 'ns/' + encodeURIComponent(namespace) + '/__jobfake/reset');
      return 'back to the fixtures';
    });
  });
  $('clear-journal').addEventListener('click', () =>
    act('Clear the journal', async () => {
      await control('DELETE', 'journal');
      return 'cleared';
    }),
  );

  // ---- live ---------------------------------------------------------------------------------
  const live = $('live');
  const events = new EventSource(withToken('events'));
  events.addEventListener('state', (event) => {
    render(JSON.parse(event.data));
    document.body.dataset.ready = 'true';
  });
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'ok';
  });
  events.addEventListener('error', () => {
    live.textContent = 'disconnected, retrying…';
    live.className = 'err';
  });
  listNamespaces();
})();
`;
