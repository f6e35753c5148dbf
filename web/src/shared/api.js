/*
 * One small client for /api/v1, shared by the staff console and the resident H5.
 *
 * The session is the HttpOnly cookie that login sets; the pages never keep the
 * token, so a script that got into a page cannot carry it off. localStorage holds
 * only a hint that someone signed in here ("1"), so that a page opened without a
 * session goes straight to the login form instead of asking the server first.
 * JSON bodies are sent as application/json (the server refuses others, 415), and
 * the browser adds Origin and Sec-Fetch-Site, which the server checks on writes.
 * Every failure becomes an ApiError carrying the server's Chinese message and the
 * offending field, so pages can show exactly what the server said.
 */

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, field, body) {
    super(message || '请求失败，请稍后再试');
    this.status = status;
    this.code = code || 'error';
    this.field = field || null;
    this.body = body;
  }
}

export function createApi({ storageKey, onUnauthorized }) {
  const api = {
    /* true when someone signed in on this browser and has not signed out (a hint only) */
    get signedIn() {
      try {
        return !!localStorage.getItem(storageKey);
      } catch {
        return false;
      }
    },
    set signedIn(value) {
      try {
        if (value) localStorage.setItem(storageKey, '1');
        else localStorage.removeItem(storageKey);
      } catch {
        /* private mode: the cookie still carries the session */
      }
    },

    url(path, query) {
      let u = BASE + path;
      const qs = toQuery(query);
      if (qs) u += (u.includes('?') ? '&' : '?') + qs;
      return u;
    },

    async raw(method, path, { query, body, headers = {}, skipAuthRedirect = false } = {}) {
      const h = { Accept: 'application/json', ...headers };
      let payload = body;
      if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer) && typeof body !== 'string') {
        h['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      let res;
      try {
        res = await fetch(api.url(path, query), {
          method,
          headers: h,
          body: payload,
          credentials: 'same-origin',
        });
      } catch {
        throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
      }
      if (res.status === 401 && !skipAuthRedirect) {
        api.signedIn = false;
        const err = await toError(res);
        if (onUnauthorized) onUnauthorized(err);
        throw err;
      }
      if (!res.ok) throw await toError(res);
      return res;
    },

    async request(method, path, opts) {
      const res = await api.raw(method, path, opts);
      if (res.status === 204) return null;
      const text = await res.text();
      if (!text) return null;
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiError(res.status, 'bad_response', '服务器返回了无法识别的内容');
      }
    },

    get: (path, query, opts) => api.request('GET', path, { ...opts, query }),
    post: (path, body, opts) => api.request('POST', path, { ...opts, body }),
    patch: (path, body, opts) => api.request('PATCH', path, { ...opts, body }),
    put: (path, body, opts) => api.request('PUT', path, { ...opts, body }),
    del: (path, body, opts) => api.request('DELETE', path, { ...opts, body }),

    async login(username, password) {
      const data = await api.request('POST', '/auth/login', {
        body: { username, password },
        skipAuthRedirect: true,
      });
      api.signedIn = !!(data && data.user);
      return data;
    },

    async logout() {
      try {
        await api.request('POST', '/auth/logout', { skipAuthRedirect: true });
      } catch {
        /* the session may already be gone; forget it locally anyway */
      }
      api.signedIn = false;
    },
  };
  /* an older build kept the token itself here: keep only the hint */
  try {
    const old = localStorage.getItem(storageKey);
    if (old && old !== '1') localStorage.setItem(storageKey, '1');
  } catch {
    /* no storage */
  }
  return api;
}

async function toError(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  const e = body && body.error;
  if (e) return new ApiError(res.status, e.code, e.message, e.field, body);
  return new ApiError(res.status, 'http_' + res.status, fallbackMessage(res.status), null, body);
}

function fallbackMessage(status) {
  switch (status) {
    case 401: return '登录已过期，请重新登录';
    case 403: return '没有权限执行此操作';
    case 404: return '找不到该记录';
    case 413: return '内容太大，请拆分后再提交';
    case 429: return '尝试次数过多，请稍后再试';
    default:
      return status >= 500 ? '服务器内部错误，请稍后再试' : '请求失败，请稍后再试';
  }
}

function toQuery(query) {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.append(k, String(v));
  }
  return p.toString();
}
