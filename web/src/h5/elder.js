/*
 * 适老模式 (elder-friendly mode): large type, high contrast, big tap targets.
 * Kept in localStorage and applied as the class "elder" on <html> at every load
 * (h5.html sets it before first paint; this module keeps it in step).
 */
import { ref } from 'vue';

const KEY = 'linli.elder';

function read() {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

export const elder = ref(read());

function apply(on) {
  document.documentElement.classList.toggle('elder', on);
}
apply(elder.value);

export function setElder(on) {
  elder.value = !!on;
  try {
    if (on) localStorage.setItem(KEY, '1');
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode: still applied for this page */
  }
  apply(elder.value);
}
