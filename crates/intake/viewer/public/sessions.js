// The session list: fetches /api/v1/sessions and shows one row per session.

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

  row.append(element('td', session.first_url ?? '—', { class: 'url' }));
  row.append(element('td', formatTime(session.start)));
  row.append(element('td', formatDuration(session.duration_ms)));
  row.append(element('td', String(session.view_count)));
  row.append(element('td', String(session.segment_count)));

  const notes = session.gaps.map(formatGap);
  if (!session.has_full_snapshot) {
    notes.unshift('no full snapshot: cannot be replayed');
  }
  row.append(element('td', notes.join('; '), { class: notes.length ? 'warning' : '' }));
  return row;
}

async function showSessions() {
  const response = await fetch('/api/v1/sessions');
  if (!response.ok) {
    throw new Error(`the intake answered ${response.status}`);
  }
  const sessions = await response.json();
  if (sessions.length === 0) {
    status.textContent = 'No sessions recorded yet.';
    return;
  }
  table.tBodies[0].replaceChildren(...sessions.map(sessionRow));
  table.hidden = false;
  status.textContent = `${sessions.length} session${sessions.length === 1 ? '' : 's'}.`;
}

showSessions().catch((error) => {
  status.textContent = `Cannot list sessions: ${error.message}`;
  status.className = 'warning';
});
