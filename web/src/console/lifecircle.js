/*
 * The 15-minute life circle's categories as the map shows them (issue 19):
 * a one-character mark and a colour per category key of
 * GET /api/v1/geo/categories, and the colours of a building's coverage.
 */
export const CATEGORY_MARK = {
  community_service: ['站', '#1677ff'],
  kindergarten: ['幼', '#eb2f96'],
  nursery: ['托', '#c41d7f'],
  elderly_care: ['老', '#fa8c16'],
  clinic: ['医', '#f5222d'],
  pharmacy: ['药', '#cf1322'],
  primary_school: ['小', '#2f54eb'],
  middle_school: ['中', '#1d39c4'],
  supermarket: ['超', '#13c2c2'],
  convenience: ['便', '#08979c'],
  fresh_market: ['菜', '#389e0d'],
  park: ['园', '#52c41a'],
  playground: ['游', '#a0d911'],
  sports: ['体', '#7cb305'],
  bus_stop: ['公', '#597ef7'],
  metro: ['铁', '#9254de'],
  food: ['餐', '#d48806'],
  bank: ['银', '#ad8b00'],
  post: ['邮', '#006d75'],
  toilets: ['厕', '#8c8c8c'],
};

export const categoryMark = (key) => CATEGORY_MARK[key] || ['设', '#595959'];

/* a building: within the band, reached within the farthest band, beyond it, off the network */
export const COVERAGE_COLORS = {
  covered: '#2e9d5b',
  near: '#f0a020',
  far: '#d9363e',
  off: '#8c8c8c',
};

export const SOURCE_LABEL = { osm: 'OpenStreetMap', staff: '工作人员添加', room: '功能室（预约）' };

export function coverageClass(p, limit) {
  if (!p.on_network) return 'off';
  if (p.covered) return 'covered';
  if (p.meters !== null && p.meters !== undefined && p.meters <= limit) return 'near';
  return 'far';
}

export const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);
