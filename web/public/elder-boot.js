/*
 * Runs in h5.html's head, before first paint (no inline script: CSP).
 * 长辈版 is applied at once from this phone's copy, so large type never
 * flickers; and for someone signed in here, /me is requested now, alongside
 * the page's scripts instead of after them (the app's own fetch of /me takes
 * this response): one round trip less on a slow network.
 */
try {
  if (localStorage.getItem('linli.elder') === '1')
    document.documentElement.classList.add('elder');
  if (localStorage.getItem('linli.h5.token')) {
    var me = document.createElement('link');
    me.rel = 'preload';
    me.as = 'fetch';
    me.href = '/api/v1/me';
    me.crossOrigin = 'anonymous';
    document.head.appendChild(me);
  }
} catch (e) {
  /* no storage: normal mode, /me when the app asks */
}
