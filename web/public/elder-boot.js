/* Apply elder mode before first paint, so large type never flickers (h5.html). */
try {
  if (localStorage.getItem('linli.elder') === '1')
    document.documentElement.classList.add('elder');
} catch (e) {
  /* no storage: normal mode */
}
