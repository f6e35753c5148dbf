/*
 * 适老模式 (elder-friendly mode): large type, high contrast, big tap targets.
 *
 * For a signed-in user the choice is a preference of her account
 * (/account/preferences), so it follows her to every phone: /me brings it
 * (accountElder) and a change is saved there (setElder). localStorage keeps a
 * copy only so that h5.html (elder-boot.js) can apply it before first paint,
 * and is the whole story for a visitor who has not signed in (and for an
 * account that has never chosen). A choice made
 * on the sign-in page, before the account is known, is carried into the
 * account when she signs in.
 */
import { ref } from 'vue';

const KEY = 'linli.elder';
const CHOSEN = 'linli.elder.chosen'; /* set by a visitor, not yet in an account */

function read() {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

export const elder = ref(read());

let save = null;          /* (on) => Promise: stores it in the signed-in account; null when signed out */

function chosenSignedOut(set) {
  try {
    if (set === undefined) return localStorage.getItem(CHOSEN) === '1';
    if (set) localStorage.setItem(CHOSEN, '1');
    else localStorage.removeItem(CHOSEN);
  } catch {
    /* no storage: the account's choice applies */
  }
  return false;
}

function apply(on) {
  elder.value = !!on;
  document.documentElement.classList.toggle('elder', elder.value);
  try {
    if (elder.value) localStorage.setItem(KEY, '1');
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode: still applied for this page */
  }
}
apply(elder.value);

/* The user's choice (the switches in 我的, on the home page and the sign-in page). */
export function setElder(on) {
  apply(on);
  if (save) save(elder.value).catch(() => { /* kept on this phone; the next change tries again */ });
  else chosenSignedOut(true);
}

/*
 * Signed in (/me loaded): @on is the account's preference (null: she has not
 * chosen, and this phone keeps its own setting), @saver stores a new one. A
 * choice tapped on this phone while signed out (kept across reloads) wins once
 * and is saved; otherwise a chosen preference applies.
 */
export function accountElder(on, saver) {
  save = saver;
  if (chosenSignedOut() && on !== elder.value) saver(elder.value).catch(() => {});
  else if (on !== null && on !== undefined) apply(on);
  chosenSignedOut(false);
}

/* Signed out: changes stay on this phone until someone signs in. */
export function accountElderEnd() {
  save = null;
}
