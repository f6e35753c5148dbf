/* Console helpers for the case pages. */
import { STATE_TAGS } from '../shared/cases.js';

/* Element Plus tag type of a case state ('' is the default blue-grey). */
export function stateTagType(state) {
  const t = STATE_TAGS[state];
  return t === 'default' ? 'info' : t || 'info';
}

export function downloadBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const CASE_ROLES = ['admin', 'street_admin', 'secretary', 'staff', 'grid_worker', 'property'];
export const CONFIG_ROLES = ['admin', 'secretary', 'staff'];
export const DASHBOARD_ROLES = ['admin', 'street_admin', 'secretary', 'staff', 'grid_worker'];
