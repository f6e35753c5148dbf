/* 活动 (activities, courses, markets) labels and small helpers shared by the console and the H5. */

export const KINDS = [
  { value: 'volunteer', label: '志愿服务' },
  { value: 'course', label: '公益课程' },
  { value: 'market', label: '便民集市' },
  { value: 'sports', label: '文体活动' },
  { value: 'civic', label: '议事/宣传' },
];
export const KIND_LABELS = Object.fromEntries(KINDS.map((k) => [k.value, k.label]));

export const STATUS_LABELS = { upcoming: '未开始', ongoing: '进行中', ended: '已结束', cancelled: '已取消' };
/* Vant / Element Plus tag types by status */
export const STATUS_TAGS = { upcoming: 'primary', ongoing: 'success', ended: 'default', cancelled: 'danger' };

export const SIGNUP_LABELS = { confirmed: '已报名', waitlisted: '候补', cancelled: '已取消' };

/* "50 岁及以上", "6-12 岁", "" */
export function ageText(a) {
  const lo = a.age_min > 0 ? a.age_min : null, hi = a.age_max;
  if (lo != null && hi != null) return `${lo}-${hi} 岁`;
  if (lo != null) return `${lo} 岁及以上`;
  if (hi != null) return `${hi} 岁及以下`;
  return '';
}

/* Who it is for, in words: the age range and the tags. */
export function audienceText(a) {
  const parts = [ageText(a), ...(a.tags || [])].filter(Boolean);
  return parts.length ? parts.join('，') : '本社区居民';
}

/* Where: the function room booked for it, or the address. */
export function placeText(a) {
  return a.room_name || a.place || '';
}

/* The places left, the waitlist or "已满" of a list item or an activity. */
export function placesText(a) {
  const left = a.capacity - a.taken;
  if (left > 0) return `剩 ${left} 个名额`;
  if (!a.waitlist) return '名额已满';
  return a.waiting ? `已满，${a.waiting} 人候补` : '已满，可候补';
}
