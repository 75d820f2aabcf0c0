// The replay page: loads one session's events and plays them with
// rrweb-player (installed from npm, served under /viewer/assets/), and
// lists the session's segments below the player.

import rrwebPlayer from '/viewer/assets/rrweb-player.js';
import { element, formatDuration, formatTime } from './format.js';

const sessionId = decodeURIComponent(location.pathname.split('/').pop());
const status = document.getElementById('status');

async function fetchJson(path) {
  const response = await fetch(path);
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error ?? `the intake answered ${response.status}`);
  }
  return response.json();
}

function showSegments(segments) {
  const rows = segments.map((segment) => {
    const row = document.createElement('tr');
    const cells = [
      segment.view.id.slice(0, 13),
      String(segment.index_in_view),
      formatTime(segment.start),
      String(segment.records_count),
      segment.has_full_snapshot ? 'yes' : 'no',
      segment.creation_reason,
      `${segment.raw_segment_size} / ${segment.compressed_segment_size}`,
    ];
    row.append(...cells.map((text) => element('td', text)));
    return row;
  });
  document.querySelector('#segments tbody').replaceChildren(...rows);
}

/** The pages (Meta events) and custom events, as links that seek the player. */
function showMarkers(events, player) {
  const first = events[0].timestamp;
  const items = events
    .filter((event) => event.type === 4 || event.type === 5)
    .map((event) => {
      const offset = event.timestamp - first;
      const label =
        event.type === 4
          ? `page ${event.data?.href ?? '(unknown)'}`
          : `${event.data?.tag ?? 'custom'} ${JSON.stringify(event.data?.payload ?? null).slice(0, 120)}`;
      const link = element('a', `${formatDuration(offset)} — ${label}`, { href: '#' });
      if (event.type === 5 && event.data?.tag === 'error') {
        link.className = 'warning';
      }
      link.addEventListener('click', (click) => {
        click.preventDefault();
        player.goto(offset, false);
      });
      const item = document.createElement('li');
      item.append(link);
      return item;
    });
  document.getElementById('markers').replaceChildren(...items);
}

function showPlayer(events) {
  const target = document.getElementById('player');
  const width = Math.min(1024, target.clientWidth || 1024);
  // rrweb-player brings the timeline, speed choice and inactivity skipping;
  // `tags` colours custom events on its progress bar.
  return new rrwebPlayer({
    target,
    props: {
      events,
      width,
      height: Math.round((width * 9) / 16),
      autoPlay: false,
      skipInactive: true,
      speedOption: [1, 2, 4, 8],
      tags: { error: '#c0392b' },
    },
  });
}

async function showSession() {
  document.getElementById('session-id').textContent = sessionId;
  const path = `/api/v1/sessions/${encodeURIComponent(sessionId)}`;
  const [segments, events] = await Promise.all([
    fetchJson(`${path}/segments`),
    fetchJson(`${path}/events`),
  ]);
  showSegments(segments);

  const first = events[0]?.timestamp ?? 0;
  const last = events[events.length - 1]?.timestamp ?? first;
  const views = new Set(segments.map((segment) => segment.view.id)).size;
  status.textContent =
    `Application ${segments[0].application.id}, started ${formatTime(first)}, ` +
    `${formatDuration(last - first)}, ${events.length} events in ${segments.length} ` +
    `segments over ${views} page load${views === 1 ? '' : 's'}.`;

  if (events.length < 2) {
    throw new Error('a replay needs at least two events');
  }
  showMarkers(events, showPlayer(events));
}

showSession().catch((error) => {
  status.textContent = `Cannot replay this session: ${error.message}`;
  status.className = 'warning';
});
