/*
 * Runs in h5.html's head, before first paint (no inline script: CSP).
 * 长辈版 is applied at once from this phone's copy, so large type never
 * flickers; and for someone signed in here, /me is requested now, alongside
 * the page's scripts instead of after them (the app's first loadMe takes this
 * response, once): one round trip less on a slow network.
 */
try {
  if (localStorage.getItem('linli.elder') === '1')
    document.documentElement.classList.add('elder');
  if (localStorage.getItem('linli.h5.token') && window.fetch)
    /* taken by the app's first loadMe only (session.js); a later one, after a login, asks again */
    window.linliEarlyMe = fetch('/api/v1/me', { credentials: 'same-origin' });
} catch (e) {
  /* no storage: normal mode, /me when the app asks */
}
