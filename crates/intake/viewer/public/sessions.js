// The session list: fetches /api/v1/sessions with the form's filters and
// shows one row per session.

import { element, formatDuration, formatGap, formatTime } from './format.js';

const status = document.getElementById('status');
const table = document.getElementById('sessions');

function sessionRow(session) {
  const row = document.createElement('tr');

  const link = element('a', session.session_id.slice(0, 13), {
    href: `/replay/${encodeURIComponent(session.session_id)}`,
    title: session.session_id,
  });
  const idCell = document.createElement('td');
  idCell.append(link);
  row.append(idCell);

  row.append(element('td', session.application_id));
  row.append(element('td', session.first_url ?? '—', { class: 'url', title: session.page_urls.join('\n') }));
  row.append(element('td', formatTime(session.start)));
  row.append(element('td', formatDuration(session.duration_ms)));
  row.append(element('td', String(session.view_count)));
  row.append(element('td', String(session.segment_count)));
  row.append(element('td', session.has_error ? 'yes' : '', { class: session.has_error ? 'warning' : '' }));

  const notes = session.gaps.map(formatGap);
  if (!session.has_full_snapshot) {
    notes.unshift('no full snapshot: cannot be replayed');
  }
  row.append(element('td', notes.join('; '), { class: notes.length ? 'warning' : '' }));
  return row;
}

/** The API query for the filter form's filled-in fields. */
function filterQuery(form) {
  const query = new URLSearchParams();
  const data = new FormData(form);
  for (const name of ['application', 'url', 'has_error']) {
    const value = data.get(name)?.trim();
    if (value) query.set(name, value);
  }
  for (const name of ['from', 'to']) {
    const value = data.get(name);
    if (value) query.set(name, String(new Date(value).getTime()));
  }
  for (const [field, param] of [['min_duration_s', 'min_duration_ms'], ['max_duration_s', 'max_duration_ms']]) {
    const value = data.get(field);
    if (value) query.set(param, String(Number(value) * 1000));
  }
  return query;
}

async function showSessions() {
  const query = filterQuery(document.getElementById('filters'));
  const response = await fetch(`/api/v1/sessions?${query}`);
  if (!response.ok) {
    throw new Error(`the intake answered ${response.status}`);
  }
  const sessions = await response.json();
  if (sessions.length === 0) {
    table.hidden = true;
    status.textContent = query.size ? 'No session matches these filters.' : 'No sessions recorded yet.';
    return;
  }
  table.tBodies[0].replaceChildren(...sessions.map(sessionRow));
  table.hidden = false;
  status.textContent = `${sessions.length} session${sessions.length === 1 ? '' : 's'}.`;
}

function refresh() {
  status.className = '';
  showSessions().catch((error) => {
    status.textContent = `Cannot list sessions: ${error.message}`;
    status.className = 'warning';
  });
}

document.getElementById('filters').addEventListener('submit', (submit) => {
  submit.preventDefault();
  refresh();
});
refresh();
