/*
 * The notice inbox (站内消息), shared by the resident H5's bell and notices
 * page and the staff console's bell: the unread count, pages of notices,
 * marking one or all read. Built on GET /notices, POST /notices/{id}/read
 * and POST /notices/read-all; every answer carries the user's whole unread
 * count, which the bell shows.
 */
import { reactive } from 'vue';

export function createInbox(api) {
  const state = reactive({ unread: 0 });

  /* The bell's count; a failed count leaves the last one (the bell is a hint). */
  async function loadUnread() {
    try {
      const d = await api.get('/notices', { unread: 1, per_page: 1 });
      state.unread = d.unread;
    } catch {
      /* keep the last count */
    }
    return state.unread;
  }

  /* Page @page of the user's notices (newest first): {items, total, unread, finished}. */
  async function fetchPage(page, perPage = 20, unreadOnly = false) {
    const d = await api.get('/notices', { page, per_page: perPage, unread: unreadOnly ? 1 : undefined });
    state.unread = d.unread;
    return { ...d, finished: page * perPage >= d.total };
  }

  /* Marks @n read (once), in place. */
  async function markRead(n) {
    if (n.read_at) return;
    const d = await api.post(`/notices/${n.id}/read`);
    n.read_at = new Date().toISOString();
    state.unread = d.unread;
  }

  /* Marks every notice read; @items (those on screen) too. */
  async function readAll(items = []) {
    await api.post('/notices/read-all');
    state.unread = 0;
    const now = new Date().toISOString();
    for (const n of items) if (!n.read_at) n.read_at = now;
  }

  return { state, loadUnread, fetchPage, markRead, readAll };
}

/* "11-24 14:05" of an RFC 3339 time at +08:00. */
export function noticeWhen(s) {
  return s ? s.slice(5, 16).replace('T', ' ') : '';
}

/* A notice's link ("/bookings?id=5") as {path, query}; null when it is not a route ("/..."). */
export function parseNoticeLink(link) {
  if (typeof link !== 'string' || !link.startsWith('/') || link.startsWith('//')) return null;
  const q = link.indexOf('?');
  const query = q < 0 ? {} : Object.fromEntries(new URLSearchParams(link.slice(q + 1)));
  return { path: q < 0 ? link : link.slice(0, q), query };
}
