import { ElMessageBox, ElMessage } from 'element-plus';
import { api } from './session.js';

function todayBeijing() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/* Asks for confirmation (and an optional reason), then moves the resident out. */
export async function confirmMoveOut(r) {
  let reason = '';
  try {
    const res = await ElMessageBox.prompt(`确定将 ${r.name}（${r.address || ''}）迁出本社区吗？迁出后记录仍会保留，可在“已迁出”中查看。`, '迁出确认', {
      confirmButtonText: '确定迁出',
      cancelButtonText: '取消',
      inputPlaceholder: '迁出原因（选填），如：搬离本社区',
      confirmButtonClass: 'el-button--danger',
      type: 'warning',
    });
    reason = (res.value || '').trim();
  } catch {
    return false;
  }
  const body = { date: todayBeijing() };
  if (reason) body.reason = reason;
  try {
    await api.del('/residents/' + r.id, body);
    ElMessage.success(`${r.name} 已迁出`);
    return true;
  } catch (e) {
    ElMessage.error(e.message);
    return false;
  }
}
